using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nabla.Data;
using Nabla.NN;

namespace Nabla.Cli.Commands;

/// <summary>
/// <c>nabla bench infer --model mlp|cnn</c>: inference as ../shared/bench/inference.py measures it (eval mode, no gradients,
/// random weights seeded 0, real test digits): batch-1 latency (median and 90th percentile of 2,000 calls) and batch-256 throughput.
/// </summary>
internal static class InferBench
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "mlp (784-128-64-10) or cnn (LeNet-5-like).", DefaultValueFactory = _ => "mlp" };
        model.AcceptOnlyFromAmong("mlp", "cnn");
        var threads = new Option<int?>("--threads") { Description = "Kernel threads (default: all cores)." };
        var data = new Option<string>("--data") { Description = "Directory of the MNIST files.", DefaultValueFactory = _ => "data/mnist" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("infer", "Batch-1 latency and batch-256 throughput of the reference MLP and CNN.") { model, threads, data, json };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            using var threadSetting = Parallelism.Use(parse.GetValue(threads));
            var result = Measure(parse.GetValue(model)!, parse.GetValue(data)!);
            result["threads"] = Parallelism.Threads;
            if (parse.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(result));
            else foreach (var (key, value) in result) output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key,-22} {value}"));
            return 0;
        });
        return command;
    }

    private static Dictionary<string, object> Measure(string which, string dataDir)
    {
        var images = Mnist.Load(dataDir, train: false).Inputs;
        var model = TrainBench.ReferenceModel(which);
        model.Eval();
        using var noGrad = Autograd.NoGrad();
        var singles = Enumerable.Range(0, 2000).Select(i => images.Narrow(0, i, 1).Contiguous()).ToArray();
        var latencies = new double[singles.Length];
        for (var i = 0; i < 200; i++) Call(singles[i]);
        for (var i = 0; i < singles.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            Call(singles[i]);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(latencies);
        var big = images.Narrow(0, 0, 256).Contiguous();
        for (var i = 0; i < 5; i++) Call(big);
        var batches = new double[30];
        for (var i = 0; i < batches.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            Call(big);
            batches[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(batches);
        return new Dictionary<string, object>
        {
            ["bench"] = "inference",
            ["model"] = which,
            ["latency_us_median"] = Math.Round(latencies[latencies.Length / 2], 1),
            ["latency_us_p90"] = Math.Round(latencies[(int)(0.9 * latencies.Length)], 1),
            ["b256_ms_median"] = Math.Round(1000 * batches[batches.Length / 2], 3),
            ["b256_samples_per_second"] = Math.Round(256 / batches[batches.Length / 2], 1),
        };

        void Call(Tensor x)
        {
            using var scope = TensorScope.Begin();
            model.Forward(x);
        }
    }
}
