using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Nabla.Data;
using Nabla.Serving;
using Nabla.Specs;

namespace Nabla.Cli.Commands;

/// <summary>
/// <c>nabla bench serve</c>: a bounded load test of <see cref="NablaServer"/> on loopback. The server runs in-process on a
/// free port; K clients (one HttpClient and connection each) share N <c>POST /v1/predict</c> requests of real test digits,
/// and every answer is checked (status 200, one result per example, the class a local forward pass gives). Reports
/// requests/s, p50/p99/max latency and errors; any error makes the exit code 1.
/// </summary>
internal static class ServeBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    // Latencies are NaN when no request was sent (a tiny --max-seconds): still one valid line of output.
    private static readonly JsonSerializerOptions Output = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "A run folder or model folder (default: an untrained 784-128-64-10 MLP, seed 0)." };
        var requests = new Option<int>("--requests") { Description = "Requests to send in all (after a warm-up of 2 per client).", DefaultValueFactory = _ => 1000 };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients.", DefaultValueFactory = _ => 4 };
        var batch = new Option<int>("--batch") { Description = "Digits per request (1..256).", DefaultValueFactory = _ => 1 };
        var data = new Option<string?>("--data") { Description = "Directory of the MNIST files (default: the bundled data/mnist)." };
        var maxSeconds = new Option<int>("--max-seconds") { Description = "Stop sending after this long; unsent requests count as errors.", DefaultValueFactory = _ => 300 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("serve", "Load-test the HTTP server on loopback: N predict requests from K clients; throughput, p50/p99 latency, errors.")
        {
            model, requests, clients, batch, data, maxSeconds, json,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error ?? output;
            try
            {
                var settings = new Settings(parse.GetValue(requests), parse.GetValue(clients), parse.GetValue(batch), TimeSpan.FromSeconds(parse.GetValue(maxSeconds)));
                var result = Run(parse.GetValue(model), parse.GetValue(data), settings);
                if (parse.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(result, Output));
                else foreach (var (key, value) in result) output.WriteLine(string.Create(Inv, $"{key,-20} {value}"));
                if (result["errors"] is int errors && errors > 0)
                {
                    error.WriteLine($"error: {errors} of {settings.Requests} requests failed; first: {result["first_error"]}");
                    return 1;
                }
                return 0;
            }
            catch (Exception e) when (ModelInputs.IsUserError(e))
            {
                return ModelInputs.Fail(error, e);
            }
        });
        return command;
    }

    internal sealed record Settings(int Requests, int Clients, int Batch, TimeSpan Limit)
    {
        public void Check()
        {
            if (Requests is < 1 or > 1_000_000) throw new ArgumentException($"--requests must be 1..1000000; got {Requests}.");
            if (Clients is < 1 or > 64) throw new ArgumentException($"--clients must be 1..64; got {Clients}.");
            if (Batch is < 1 or > 256) throw new ArgumentException($"--batch must be 1..256; got {Batch}.");
            if (Limit <= TimeSpan.Zero) throw new ArgumentException($"--max-seconds must be positive; got {Limit.TotalSeconds}.");
        }
    }

    private static Dictionary<string, object> Run(string? modelPath, string? dataDir, Settings settings)
    {
        settings.Check();
        dataDir ??= ModelInputs.FindBundledMnist(modelPath ?? Directory.GetCurrentDirectory());
        var temp = modelPath is null ? Directory.CreateTempSubdirectory("nabla-bench-serve").FullName : null;
        try
        {
            var model = temp is null ? ModelInputs.LoadModel(modelPath!) : DefaultModel(temp, dataDir);
            var images = ModelInputs.FitInputs(model, Mnist.Load(dataDir, train: false).Inputs, dataDir);
            var result = LoadTest(model, images, settings).GetAwaiter().GetResult();
            result["model"] = temp is null ? model.Name : "untrained mlp-784-128-64-10 (seed 0)";
            return result;
        }
        finally
        {
            if (temp is not null) Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>The reference 784-128-64-10 MLP, untrained (seed 0), saved to and loaded from <paramref name="folder"/>: serving cost does not depend on the weights.</summary>
    private static SavedModel DefaultModel(string folder, string dataDir)
    {
        var spec = TrainingSpec.Parse(JsonSerializer.Serialize(new
        {
            name = "mlp-784-128-64-10",
            seed = 0,
            data = new { format = "mnist", path = dataDir },
            model = new object[]
            {
                new { type = "Flatten" }, new { type = "Linear", inFeatures = 784, outFeatures = 128 }, new { type = "Relu" },
                new { type = "Linear", inFeatures = 128, outFeatures = 64 }, new { type = "Relu" }, new { type = "Linear", inFeatures = 64, outFeatures = 10 },
            },
            loss = "cross_entropy",
            optimizer = new { type = "sgd", lr = 0.1 },
        }), "bench serve");
        Generator.ManualSeed(0);
        SavedModel.Save(folder, spec, spec.BuildModel([1, 28, 28]), [1, 28, 28], [.. Enumerable.Range(0, 10).Select(i => i.ToString(Inv))]);
        return SavedModel.Load(folder);
    }

    /// <summary>One prepared request: its JSON body and the class index a local forward pass gives each of its examples.</summary>
    private sealed record Request(byte[] Body, int[] Expected);

    private static async Task<Dictionary<string, object>> LoadTest(SavedModel model, Tensor images, Settings s)
    {
        var prepared = Prepare(model, images, s.Batch, Math.Min(s.Requests, 64));
        await using var app = NablaServer.Build(model, new ServerOptions { Url = "http://127.0.0.1:0", MaxBatch = s.Batch, MaxBodyBytes = 16 * 1024 * 1024 });
        await app.StartAsync();
        var address = new Uri(app.Urls.First());
        var clients = Enumerable.Range(0, s.Clients).Select(_ => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 })
        {
            BaseAddress = address, Timeout = TimeSpan.FromSeconds(30),
        }).ToArray();
        try
        {
            // Warm-up (not counted): connections opened, JIT and kernels tiered up.
            await Task.WhenAll(clients.Select(async c => { for (var i = 0; i < 2; i++) await Send(c, prepared[i % prepared.Length]); }));

            var latencies = new double[s.Requests];
            var failures = new string?[s.Requests];
            var next = -1;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(clients.Select(async c =>
            {
                int i;
                // The clock is checked before an index is claimed, so every claimed index is sent.
                while (clock.Elapsed < s.Limit && (i = Interlocked.Increment(ref next)) < s.Requests)
                {
                    var start = Stopwatch.GetTimestamp();
                    failures[i] = await Send(c, prepared[i % prepared.Length]);
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }));
            var seconds = clock.Elapsed.TotalSeconds;
            var sent = Math.Min(Volatile.Read(ref next) + 1, s.Requests); // indices 0..next were claimed
            var errors = failures.Take(sent).Count(f => f is not null) + (s.Requests - sent);
            var firstError = failures.Take(sent).FirstOrDefault(f => f is not null)
                ?? (sent < s.Requests ? $"{s.Requests - sent} requests not sent within {s.Limit.TotalSeconds} s" : null);
            var sorted = latencies.Take(sent).Order().ToArray();
            var result = new Dictionary<string, object>
            {
                ["bench"] = "serve",
                ["requests"] = s.Requests,
                ["clients"] = s.Clients,
                ["batch"] = s.Batch,
                ["seconds"] = Math.Round(seconds, 3),
                ["requests_per_second"] = Math.Round(sent / seconds, 1),
                ["examples_per_second"] = Math.Round(sent * s.Batch / seconds, 1),
                ["latency_ms_p50"] = Math.Round(Percentile(sorted, 50), 3),
                ["latency_ms_p99"] = Math.Round(Percentile(sorted, 99), 3),
                ["latency_ms_max"] = Math.Round(sorted.Length == 0 ? double.NaN : sorted[^1], 3),
                ["errors"] = errors,
            };
            if (firstError is not null) result["first_error"] = firstError;
            return result;
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
            await app.StopAsync();
        }
    }

    /// <summary><paramref name="count"/> distinct requests of consecutive test digits (wrapping), with the classes the model gives them here.</summary>
    private static Request[] Prepare(SavedModel model, Tensor images, int batch, int count)
    {
        var n = images.Shape[0];
        var perExample = images.Shape.Count / n;
        var pixels = images.Reshape(n, perExample).ToArray();
        var shape = batch == 1 ? model.InputShape : [batch, .. model.InputShape];
        var requests = new Request[count];
        for (var r = 0; r < count; r++)
        {
            var values = new float[batch * perExample];
            for (var k = 0; k < batch; k++) pixels.AsSpan((r * batch + k) % n * perExample, perExample).CopyTo(values.AsSpan(k * perExample));
            float[] outputs;
            using (TensorScope.Begin()) outputs = model.Predict(Tensor.FromArray(values, [batch, .. model.InputShape])).Reshape(batch, -1).ToArray();
            var classes = outputs.Length / batch;
            var expected = new int[batch];
            for (var k = 0; k < batch; k++)
            {
                var row = outputs.AsSpan(k * classes, classes);
                for (var c = 1; c < classes; c++) if (row[c] > row[expected[k]]) expected[k] = c;
            }
            requests[r] = new Request(JsonSerializer.SerializeToUtf8Bytes(new { inputs = values, shape }), expected);
        }
        return requests;
    }

    /// <summary>Sends one request and checks the answer; null when it is right, else what was wrong.</summary>
    private static async Task<string?> Send(HttpClient client, Request request)
    {
        try
        {
            using var content = new ByteArrayContent(request.Body);
            content.Headers.ContentType = new("application/json");
            using var response = await client.PostAsync("/v1/predict", content);
            return Check((int)response.StatusCode, await response.Content.ReadAsStringAsync(), request.Expected);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>Null when an answer is status 200 with one result per example and the expected class indices; else what was wrong.</summary>
    internal static string? Check(int status, string body, int[] expected)
    {
        if (status != 200) return $"status {status}: {body}";
        try
        {
            var results = JsonDocument.Parse(body).RootElement.GetProperty("results");
            if (results.GetArrayLength() != expected.Length) return $"{results.GetArrayLength()} results for {expected.Length} examples";
            for (var k = 0; k < expected.Length; k++)
            {
                var index = results[k].GetProperty("index").GetInt32();
                if (index != expected[k]) return $"example {k}: class index {index}, the local forward pass gives {expected[k]}";
            }
            return null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return $"malformed answer ({e.Message}): {body}";
        }
    }

    /// <summary>The nearest-rank <paramref name="p"/>th percentile of ascending <paramref name="sorted"/>: the value at rank ⌈p/100·n⌉; NaN when empty.</summary>
    internal static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (p is <= 0 or > 100) throw new ArgumentException($"Percentile: p must be in (0, 100]; got {p}.");
        if (sorted.Count == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}
