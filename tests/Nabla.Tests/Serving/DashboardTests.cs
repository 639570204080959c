using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Nabla.Serving.Dashboard;
using Nabla.Specs;
using Nabla.Tests.Support;
using Nabla.Training;

namespace Nabla.Tests.Serving;

/// <summary>
/// The dashboard server on a loopback port fed by a real (tiny) training run: the event stream, <c>/v1/runs</c>,
/// reports, client disconnects and the page.
/// </summary>
public sealed partial class DashboardTests : IAsyncLifetime
{
    private readonly DashboardHost _host = new(new TrainingDashboard(TimeSpan.Zero), "nabla-dashboard"); // every batch published, so each can be checked

    public Task InitializeAsync() => _host.StartAsync();

    public Task DisposeAsync() => _host.StopAsync();

    /// <summary>An MLP on 256 MNIST digits (64 held out for validation): 3 batches of 64 per epoch, 2 epochs.</summary>
    internal static Experiment TinyExperiment() => Experiment.Create(TrainingSpec.Parse(JsonSerializer.Serialize(new
    {
        name = "tiny-dash",
        seed = 3,
        data = new { format = "mnist", path = Repo.Path("data", "mnist"), validation = 0.25, limit = 256 },
        model = new object[]
        {
            new { type = "Flatten" }, new { type = "Linear", inFeatures = 784, outFeatures = 16 }, new { type = "Relu" },
            new { type = "Linear", inFeatures = 16, outFeatures = 10 },
        },
        loss = "cross_entropy",
        optimizer = new { type = "sgd", lr = 0.1 },
        training = new { epochs = 2, batchSize = 64, metrics = new[] { "accuracy" } },
    })), Repo.Root);

    /// <summary>What the trainer reported, recorded by a plain callback next to the dashboard's.</summary>
    private sealed class Recorder : Callback
    {
        public List<(int Epoch, int Batch, double Loss, double Lr)> Batches { get; } = [];

        public override void OnBatchEnd(int epoch, int batch, IReadOnlyDictionary<string, double> logs) =>
            Batches.Add((epoch + 1, batch + 1, logs["loss"], Trainer.Optimizer!.LearningRate));
    }

    private static void Same(double expected, JsonElement actual, string what) =>
        Assert.True(Math.Abs(expected - actual.GetDouble()) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"{what}: {actual} but training gave {expected}");

    [Fact]
    public async Task Live_and_replayed_streams_carry_the_training_runs_figures_in_order()
    {
        var experiment = TinyExperiment();
        var run = _host.Dashboard.AddRun("tiny-dash");
        using var live = await SseClient.Connect(_host.Url);
        Assert.Equal("text/event-stream", live.ContentType);
        var recorder = new Recorder();
        var result = experiment.Run([new DashboardCallback(run, experiment.TrainLoader.BatchCount), recorder]);
        var liveEvents = await live.ReadUntil("done");
        using var late = await SseClient.Connect(_host.Url);
        var replayed = await late.ReadUntil("done");

        // Order: start, then per epoch its batches and the epoch event, then done; ids strictly increasing.
        var batches = experiment.TrainLoader.BatchCount;
        Assert.Equal(3, batches);
        string[] expectedTypes = ["start", .. Enumerable.Repeat((string[])[.. Enumerable.Repeat("batch", batches), "epoch"], 2).SelectMany(x => x), "done"];
        Assert.Equal(expectedTypes, liveEvents.Select(e => e.Type));
        Assert.Equal(liveEvents.Select(e => e.Id).Order(), liveEvents.Select(e => e.Id));
        Assert.Equal(liveEvents, replayed); // a late page sees exactly what a live one saw

        var start = liveEvents[0].Json;
        Assert.Equal(2, start.GetProperty("epochs").GetInt32());
        Assert.Equal(batches, start.GetProperty("batchCount").GetInt32());
        var batchEvents = liveEvents.Where(e => e.Type == "batch").Select(e => e.Json).ToList();
        Assert.Equal(recorder.Batches.Count, batchEvents.Count);
        for (var i = 0; i < batchEvents.Count; i++)
        {
            var (epoch, batch, loss, lr) = recorder.Batches[i];
            Assert.Equal(epoch, batchEvents[i].GetProperty("epoch").GetInt32());
            Assert.Equal(batch, batchEvents[i].GetProperty("batch").GetInt32());
            Assert.Equal(batches, batchEvents[i].GetProperty("batchCount").GetInt32());
            Same(loss, batchEvents[i].GetProperty("loss"), $"batch {i} loss");
            Same(lr, batchEvents[i].GetProperty("lr"), $"batch {i} lr");
        }
        var epochEvents = liveEvents.Where(e => e.Type == "epoch").Select(e => e.Json).ToList();
        for (var e = 0; e < 2; e++)
        {
            Assert.Equal(e + 1, epochEvents[e].GetProperty("epoch").GetInt32());
            var logs = result.History.Epochs[e];
            Assert.Equal(logs.Keys.Order(), epochEvents[e].GetProperty("metrics").EnumerateObject().Select(p => p.Name).Order());
            foreach (var (key, value) in logs) Same(value, epochEvents[e].GetProperty("metrics").GetProperty(key), $"epoch {e + 1} {key}");
            Assert.True(epochEvents[e].GetProperty("seconds").GetDouble() > 0);
        }
        // The training loss of an epoch is the example-weighted mean of its batch losses (3 full batches: the plain mean).
        Same(recorder.Batches.Take(3).Average(b => b.Loss), epochEvents[0].GetProperty("metrics").GetProperty("loss"), "epoch 1 loss from batches");

        // /v1/runs serves the same history the stream carried.
        using var http = new HttpClient { BaseAddress = _host.Url };
        var runs = JsonDocument.Parse(await http.GetStringAsync("/v1/runs")).RootElement.GetProperty("runs");
        var json = Assert.Single(runs.EnumerateArray());
        Assert.Equal("tiny-dash", json.GetProperty("name").GetString());
        Assert.Equal(2, json.GetProperty("epochs").GetInt32());
        Assert.True(json.GetProperty("done").GetBoolean());
        Assert.Equal($"{{\"epoch\":2,\"batch\":{batches},\"batchCount\":{batches}}}", json.GetProperty("progress").GetRawText());
        for (var e = 0; e < 2; e++)
        {
            Assert.Equal(epochEvents[e].GetProperty("metrics").GetRawText(), json.GetProperty("history")[e].GetProperty("metrics").GetRawText());
        }
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_does_not_disturb_training()
    {
        var experiment = TinyExperiment();
        var run = _host.Dashboard.AddRun("tiny-dash");
        var client = await SseClient.Connect(_host.Url);
        Assert.Equal(1, _host.Dashboard.Hub.ClientCount);
        var dropped = false;
        var dropper = new LambdaCallback(onBatchEnd: (epoch, batch, _) =>
        {
            if (epoch != 0 || batch != 1) return;
            client.Dispose(); // the browser tab closes while training runs
            dropped = true;
        });
        var result = experiment.Run([new DashboardCallback(run, experiment.TrainLoader.BatchCount), dropper]);
        Assert.True(dropped);
        Assert.Equal(2, result.History.Epochs.Count);
        Assert.Null(result.History.StopReason);
        for (var i = 0; i < 100 && _host.Dashboard.Hub.ClientCount > 0; i++) await Task.Delay(50);
        Assert.Equal(0, _host.Dashboard.Hub.ClientCount); // the server let go of the gone client
        using var again = await SseClient.Connect(_host.Url);
        Assert.Equal(2, (await again.ReadUntil("done")).Count(e => e.Type == "epoch"));
    }

    [Fact]
    public async Task The_page_is_self_contained_and_names_its_charts()
    {
        using var http = new HttpClient { BaseAddress = _host.Url };
        using var response = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        foreach (var id in (string[])["loss-chart", "accuracy-chart", "lr-chart", "progress", "status", "report-link", "report-frame", "legend"])
        {
            Assert.Contains($"id=\"{id}\"", page, StringComparison.Ordinal);
        }
        Assert.Matches("<svg id=\"loss-chart\"[^>]*data-points=\"0\"", page);
        Assert.Contains("new EventSource(\"/v1/events\")", page, StringComparison.Ordinal);
        // The only URL-like text is the SVG namespace name, an identifier browsers never fetch.
        var urls = UrlPattern().Matches(page).Select(m => m.Value).Distinct();
        Assert.Equal(["http://www.w3.org/2000/svg"], urls);
        // Inline data: URLs (the empty icon that spares a /favicon.ico 404) load nothing from elsewhere.
        Assert.DoesNotMatch("<(script|link|img|iframe)[^>]*\\s(src|href)=\"(?!data:)[^\"#]", page);
    }

    [Fact]
    public async Task Reports_come_from_the_run_folder_only_once_written()
    {
        var run = _host.Dashboard.AddRun("with-report", _host.Folder);
        _host.Dashboard.AddRun("no-folder");
        using var http = new HttpClient { BaseAddress = _host.Url };
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/runs/0/report")).StatusCode);
        Assert.Null(run.ReportPath);
        const string html = "<!DOCTYPE html><title>report</title><p>figures</p>";
        File.WriteAllText(Path.Combine(_host.Folder, "report.html"), html);
        Assert.Equal("/runs/0/report", run.ReportPath);
        Assert.Equal(html, await http.GetStringAsync("/runs/0/report"));
        Assert.Equal(html, await http.GetStringAsync("/report"));
        using var missing = await http.GetAsync("/runs/1/report");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no report.html", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var beyond = await http.GetAsync("/runs/7/report");
        Assert.Equal(HttpStatusCode.NotFound, beyond.StatusCode);
        Assert.Contains("no run 7", await beyond.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/runs/..%2F..%2Fetc/report")).StatusCode);
    }

    [GeneratedRegex("https?://[^\"'\\s)<>]*")]
    private static partial Regex UrlPattern();
}
