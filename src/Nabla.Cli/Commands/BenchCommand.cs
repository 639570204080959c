using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json;

namespace Nabla.Cli.Commands;

/// <summary>
/// <c>nabla bench gemm|ops</c>: speed figures measured the same way each time (warm-up, then the
/// median of repeated timed batches), as text or one JSON object per line.
/// </summary>
internal static class BenchCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var command = new Command("bench", "Measure kernel speed (build with -c Release).");
        command.Subcommands.Add(Gemm());
        command.Subcommands.Add(Ops());
        command.Subcommands.Add(Step());
        command.Subcommands.Add(Conv());
        command.Subcommands.Add(SubnormalBench.Create());
        command.Subcommands.Add(TrainBench.Create());
        command.Subcommands.Add(InferBench.Create());
        command.Subcommands.Add(ServeBench.Create());
        return command;
    }

    private static Option<bool> JsonOption() => new("--json") { Description = "Print one JSON object per line." };

    private static Command Gemm()
    {
        var sizes = new Option<string>("--sizes") { Description = "Square sizes n, comma-separated.", DefaultValueFactory = _ => "128,256,512,1024,2048" };
        var threads = new Option<string>("--threads") { Description = "Thread counts, comma-separated.", DefaultValueFactory = _ => "1,2" };
        var json = JsonOption();
        var command = new Command("gemm", "float32 square matrix product C = A·B in GFLOP/s (2n³ / median time).") { sizes, threads, json };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var asJson = parse.GetValue(json);
            var sizeList = ParseList(parse.GetValue(sizes)!, "--sizes");
            var threadList = ParseList(parse.GetValue(threads)!, "--threads");
            if (!asJson) output.WriteLine($"{"n",6} {"threads",7} {"GFLOP/s",9}");
            foreach (var t in threadList)
            {
                using (Parallelism.Use(t))
                {
                    foreach (var n in sizeList)
                    {
                        var g = new Generator(0);
                        var a = Tensor.Randn([n, n], g);
                        var b = Tensor.Randn([n, n], g);
                        var seconds = MedianSeconds(() =>
                        {
                            using var scope = TensorScope.Begin(); // the output buffer is reused, as in a training loop
                            return a.MatMul(b);
                        });
                        var gflops = 2.0 * n * n * n / seconds / 1e9;
                        output.WriteLine(asJson
                            ? JsonSerializer.Serialize(new { bench = "gemm", n, threads = t, gflops = Math.Round(gflops, 2), path = PathName() })
                            : string.Create(Inv, $"{n,6} {t,7} {gflops,9:F1}"));
                    }
                }
            }
            return 0;
        });
        return command;
    }

    private static string PathName() => Backends.Cpu.Gemm.Gemm.ActivePath.ToString();

    private static Command Ops()
    {
        var json = JsonOption();
        var command = new Command("ops", "Per-op overhead on tiny tensors (ns) and throughput on large ones against raw TensorPrimitives.") { json };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var asJson = parse.GetValue(json);
            var g = new Generator(1);
            var tinyA = Tensor.Randn([64], g);
            var tinyB = Tensor.Randn([64], g);
            var tinyNs = MedianSeconds(() =>
            {
                using var scope = TensorScope.Begin();
                return tinyA + tinyB;
            }) * 1e9;
            Report(output, asJson, new { bench = "ops", op = "add", elements = 64, ns = Math.Round(tinyNs, 1) },
                string.Create(Inv, $"add of 64 elements: {tinyNs:F0} ns per op"));

            const int large = 1 << 20;
            var x = Tensor.Randn([large], g);
            var y = Tensor.Randn([large], g);
            var src = x.ToArray();
            var src2 = y.ToArray();
            var dst = new float[large];
            (string Name, Func<Tensor> Ours, Action Raw)[] cases =
            [
                ("add", () => x + y, () => TensorPrimitives.Add(src, src2, dst)),
                ("exp", () => x.Exp(), () => TensorPrimitives.Exp(src, dst)),
                ("tanh", () => x.Tanh(), () => TensorPrimitives.Tanh(src, dst)),
                ("sigmoid", () => x.Sigmoid(), () => TensorPrimitives.Sigmoid(src, dst)),
                ("sum", () => x.Sum(), () => dst[0] = TensorPrimitives.Sum(src)),
            ];
            if (!asJson) output.WriteLine($"{"op",-8} {"elements",9} {"nabla GB/s",11} {"raw GB/s",9} {"ratio",6}");
            foreach (var (name, ours, raw) in cases)
            {
                // Steady state of a training loop: each call's buffers go back to the pool (see TensorScope).
                var oursSeconds = MedianSeconds(() =>
                {
                    using var scope = TensorScope.Begin();
                    return ours();
                });
                var rawSeconds = MedianSeconds(() => { raw(); return null; });
                var bytes = (double)large * sizeof(float);
                var ratio = rawSeconds / oursSeconds;
                Report(output, asJson,
                    new { bench = "ops", op = name, elements = large, nabla_gbps = Math.Round(bytes / oursSeconds / 1e9, 2), raw_gbps = Math.Round(bytes / rawSeconds / 1e9, 2), ratio = Math.Round(ratio, 3) },
                    string.Create(Inv, $"{name,-8} {large,9} {bytes / oursSeconds / 1e9,11:F2} {bytes / rawSeconds / 1e9,9:F2} {ratio,6:F2}"));
            }
            return 0;
        });
        return command;
    }

    private static Command Step()
    {
        var steps = new Option<int>("--steps") { Description = "Timed training steps.", DefaultValueFactory = _ => 300 };
        var json = JsonOption();
        var command = new Command("step", "Managed allocation and GC pause per training step of a 784-128-64-10 MLP at batch 64 (SGD, cross-entropy), with and without a TensorScope.") { steps, json };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var asJson = parse.GetValue(json);
            foreach (var scoped in new[] { false, true })
            {
                var r = TrainingStepProbe.Measure(scoped, parse.GetValue(steps));
                Report(output, asJson,
                    new { bench = "step", model = "mlp-784-128-64-10", batch = 64, scoped, bytes_per_step = r.BytesPerStep, gc_pause_ms_per_step = Math.Round(r.GcPauseMsPerStep, 4), gen0_per_100_steps = Math.Round(r.Gen0Per100Steps, 2), ms_per_step = Math.Round(r.MsPerStep, 3) },
                    string.Create(Inv, $"{(scoped ? "with TensorScope" : "without scope"),-17} {r.BytesPerStep,10:N0} B/step  GC pause {r.GcPauseMsPerStep:F3} ms/step  gen0 {r.Gen0Per100Steps:F1}/100 steps  {r.MsPerStep:F3} ms/step"));
            }
            return 0;
        });
        return command;
    }

    private static Command Conv()
    {
        var json = JsonOption();
        var command = new Command("conv", "2-D convolution forward + backward for LeNet- and CIFAR-sized layers at batch 64.") { json };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var asJson = parse.GetValue(json);
            (string Name, Backends.Cpu.Conv2dGeometry Geometry)[] layers =
            [
                ("lenet-conv1 1->6 28x28 k5 p2", new(64, 1, 28, 28, 6, 5, 5, PadH: 2, PadW: 2)),
                ("lenet-conv2 6->16 14x14 k5", new(64, 6, 14, 14, 16, 5, 5)),
                ("cifar-conv1 3->32 32x32 k3 p1", new(64, 3, 32, 32, 32, 3, 3, PadH: 1, PadW: 1)),
                ("cifar-conv2 32->64 16x16 k3 p1", new(64, 32, 16, 16, 64, 3, 3, PadH: 1, PadW: 1)),
            ];
            if (!asJson) output.WriteLine($"{"layer",-32} {"forward ms",11} {"backward ms",12} {"GFLOP/s",8}");
            foreach (var (name, g) in layers)
            {
                var rng = new Generator(2);
                var x = Tensor.Randn([g.Batch * g.InChannels * g.Height * g.Width], rng).ToArray();
                var w = Tensor.Randn([g.OutChannels * g.PatchSize], rng).ToArray();
                var b = new float[g.OutChannels];
                var y = new float[g.Batch * g.OutChannels * g.OutHeight * g.OutWidth];
                var dx = new float[x.Length];
                var dw = new float[w.Length];
                var db = new float[b.Length];
                var forward = MedianSeconds(() => { Backends.Cpu.Convolution.Forward(x, w, b, y, g); return null; });
                var backward = MedianSeconds(() => { Backends.Cpu.Convolution.Backward(x, w, y, dx, dw, db, g); return null; });
                var flops = 3.0 * 2 * g.Batch * g.OutChannels * g.OutHeight * g.OutWidth * g.PatchSize; // forward + two backward products
                Report(output, asJson,
                    new { bench = "conv", layer = name, forward_ms = Math.Round(forward * 1e3, 3), backward_ms = Math.Round(backward * 1e3, 3), gflops = Math.Round(flops / (forward + backward) / 1e9, 1) },
                    string.Create(Inv, $"{name,-32} {forward * 1e3,11:F3} {backward * 1e3,12:F3} {flops / (forward + backward) / 1e9,8:F1}"));
            }
            return 0;
        });
        return command;
    }

    private static void Report(TextWriter output, bool asJson, object row, string text) =>
        output.WriteLine(asJson ? JsonSerializer.Serialize(row) : text);

    /// <summary>Warms up (so the JIT has tiered up), then times batches of calls lasting ≥ 50 ms; returns the median seconds per call.</summary>
    internal static double MedianSeconds(Func<object?> call, int repeats = 7)
    {
        var warm = Stopwatch.StartNew();
        var calls = 0;
        while (warm.Elapsed.TotalSeconds < 0.3 || calls < 3)
        {
            call();
            calls++;
        }
        var perCall = warm.Elapsed.TotalSeconds / calls;
        var batch = Math.Max(1, (int)(0.05 / perCall));
        var samples = new double[repeats];
        for (var r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < batch; i++) call();
            samples[r] = sw.Elapsed.TotalSeconds / batch;
        }
        Array.Sort(samples);
        return samples[repeats / 2];
    }

    private static int[] ParseList(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, Inv, out values[i]) || values[i] <= 0)
            {
                throw new ArgumentException($"{option}: '{parts[i]}' is not a positive whole number (expected e.g. 128,256).");
            }
        }
        return values;
    }
}
