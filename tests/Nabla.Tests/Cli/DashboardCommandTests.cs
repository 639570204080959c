using System.Globalization;
using System.Text.Json;
using Nabla.Cli.Commands;
using Nabla.Tests.Serving;
using Nabla.Tests.Support;
using NablaCli = Nabla.Cli.Program;

namespace Nabla.Tests.Cli;

/// <summary><c>nabla dashboard</c> on run folders and <c>nabla train --dashboard</c>, against real servers on free loopback ports.</summary>
public sealed class DashboardCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nabla-dashboard-cli").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // Two hand-written runs: epoch rows as metrics.csv holds them (the second lacks validation columns).
    private static readonly double[][] RunA = [[1, 0.9, 0.7, 1.1, 0.65, 0.01], [2, 0.5, 0.85, 0.8, 0.75, 0.005]];
    private static readonly double[][] RunB = [[1, 2.25, 0.125, 0.1], [2, 1.5, 0.25, 0.1], [3, 0.75, 0.5, 0.05]];

    private string WriteRun(string name, string header, double[][] rows, string? summary)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;
        var lines = rows.Select(r => string.Join(",", r.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        File.WriteAllText(Path.Combine(dir, "metrics.csv"), header + "\n" + string.Join("\n", lines) + "\n");
        if (summary is not null) File.WriteAllText(Path.Combine(dir, "summary.json"), summary);
        return dir;
    }

    private static async Task<JsonElement> Get(Uri url, string path)
    {
        using var http = new HttpClient { BaseAddress = url };
        return JsonDocument.Parse(await http.GetStringAsync(path)).RootElement.Clone();
    }

    private static void CheckHistory(JsonElement run, string[] columns, double[][] rows)
    {
        var history = run.GetProperty("history");
        Assert.Equal(rows.Length, history.GetArrayLength());
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal((int)rows[i][0], history[i].GetProperty("epoch").GetInt32());
            var metrics = history[i].GetProperty("metrics");
            Assert.Equal(columns.Length - 1, metrics.EnumerateObject().Count());
            for (var c = 1; c < columns.Length; c++) Assert.Equal(rows[i][c], metrics.GetProperty(columns[c]).GetDouble());
        }
    }

    [Fact]
    public async Task A_finished_run_is_served_with_its_metrics_csv_values_and_summary()
    {
        const string header = "epoch,loss,accuracy,val_loss,val_accuracy,lr";
        var dir = WriteRun("mlp-a", header, RunA, """{"spec": "mlp", "epochs": 2, "test_accuracy": 0.74, "stop_reason": null}""");
        File.WriteAllText(Path.Combine(dir, "report.html"), "<p>report of a</p>");
        var dashboard = DashboardCommand.Load([dir]);
        using var app = DashboardCommand.Start(dashboard, "127.0.0.1", 0);
        var url = new Uri(app.Urls.First());
        var run = Assert.Single((await Get(url, "/v1/runs")).GetProperty("runs").EnumerateArray());
        Assert.Equal("mlp-a", run.GetProperty("name").GetString());
        Assert.True(run.GetProperty("done").GetBoolean());
        Assert.Equal(0.74, run.GetProperty("summary").GetProperty("test_accuracy").GetDouble());
        Assert.Equal("/runs/0/report", run.GetProperty("report").GetString());
        CheckHistory(run, header.Split(','), RunA);

        using var events = await SseClient.Connect(url);
        Assert.Equal(["start", "epoch", "epoch", "done"], (await events.ReadUntil("done")).Select(e => e.Type));
        await app.StopAsync();
    }

    [Fact]
    public async Task Several_runs_are_overlaid_each_with_its_own_history()
    {
        var a = WriteRun("mlp-a", "epoch,loss,accuracy,val_loss,val_accuracy,lr", RunA, null);
        var b = WriteRun("cnn-b", "epoch,loss,accuracy,lr", RunB, null);
        var sameName = WriteRun(Path.Combine("other", "mlp-a"), "epoch,loss,accuracy,lr", RunB, null);
        var dashboard = DashboardCommand.Load([a, b, sameName]);
        using var app = DashboardCommand.Start(dashboard, "127.0.0.1", 0);
        var url = new Uri(app.Urls.First());
        var runs = (await Get(url, "/v1/runs")).GetProperty("runs");
        Assert.Equal(["mlp-a", "cnn-b", "mlp-a (2)"], runs.EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        CheckHistory(runs[0], "epoch,loss,accuracy,val_loss,val_accuracy,lr".Split(','), RunA);
        CheckHistory(runs[1], "epoch,loss,accuracy,lr".Split(','), RunB);
        Assert.Equal(JsonValueKind.Null, runs[1].GetProperty("report").ValueKind);

        using var events = await SseClient.Connect(url);
        var all = new List<SseEvent>();
        for (var i = 0; i < 3; i++) all.AddRange(await events.ReadUntil("done"));
        var epochRuns = all.Where(e => e.Type == "epoch").Select(e => e.Json.GetProperty("run").GetInt32());
        Assert.Equal([0, 0, 1, 1, 1, 2, 2, 2], epochRuns);
        await app.StopAsync();
    }

    [Theory]
    [InlineData("empty", "is not a run folder: it has no metrics.csv")]
    [InlineData("missing", "no folder")]
    [InlineData("bad-row", "line 3: 2 values for 3 columns")]
    [InlineData("bad-number", "loss 'abc' is not a number")]
    public void A_folder_that_is_not_a_run_is_a_clear_error(string kind, string message)
    {
        var dir = Path.Combine(_folder, kind);
        if (kind != "missing") Directory.CreateDirectory(dir);
        if (kind == "bad-row") File.WriteAllText(Path.Combine(dir, "metrics.csv"), "epoch,loss,lr\n1,0.5,0.1\n2,0.4\n");
        if (kind == "bad-number") File.WriteAllText(Path.Combine(dir, "metrics.csv"), "epoch,loss,lr\n1,abc,0.1\n");
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        Assert.Equal(1, NablaCli.Run(["dashboard", dir, "--port", "0"], output));
        Assert.Contains("error: ", output.ToString(), StringComparison.Ordinal);
        Assert.Contains(message, output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Dashboard_exit_without_dashboard_is_refused()
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        Assert.Equal(1, NablaCli.Run(["train", Repo.Path("examples", "mnist-mlp.json"), "--dashboard-exit"], output));
        Assert.Contains("--dashboard-exit only applies with --dashboard", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_with_a_dashboard_streams_the_run_and_exits_when_done()
    {
        var spec = Path.Combine(_folder, "tiny.json");
        var mnist = Repo.Path("data", "mnist").Replace("\\", "/", StringComparison.Ordinal);
        File.WriteAllText(spec, $$"""
            {
              "name": "tiny-mlp", "seed": 3,
              "data": { "format": "mnist", "path": "{{mnist}}", "validation": 0.25, "limit": 256 },
              "model": [ { "type": "Flatten" }, { "type": "Linear", "inFeatures": 784, "outFeatures": 16 }, { "type": "Relu" },
                         { "type": "Linear", "inFeatures": 16, "outFeatures": 10 } ],
              "loss": "cross_entropy",
              "optimizer": { "type": "adam", "lr": 0.003 },
              "training": { "epochs": 2, "batchSize": 64, "metrics": ["accuracy"] }
            }
            """);
        var runDir = Path.Combine(_folder, "run");
        Task<List<SseEvent>>? reading = null;
        SseClient? client = null;
        var settings = new DashboardSettings("127.0.0.1", 0, ExitWhenDone: true, Started: (_, url) =>
        {
            // Connected before training starts, so the stream is watched live from the first event.
            client = SseClient.Connect(url).GetAwaiter().GetResult();
            reading = client.ReadUntil("done");
        });
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        var code = TrainCommand.Run(new FileInfo(spec), new TrainCommand.Overrides(null, null, null, null, null, Dashboard: settings), new DirectoryInfo(runDir), output);
        Assert.True(code == 0, output.ToString());
        Assert.Matches(@"Dashboard: http://127\.0\.0\.1:\d+/", output.ToString());
        var events = await reading!;
        client!.Dispose();

        Assert.Equal("start", events[0].Type);
        Assert.Equal("done", events[^1].Type);
        // The epoch events carry what metrics.csv recorded (read here with a plain split), and done carries summary.json.
        var csv = File.ReadAllLines(Path.Combine(runDir, "metrics.csv"));
        var columns = csv[0].Split(',');
        var epochs = events.Where(e => e.Type == "epoch").Select(e => e.Json).ToList();
        Assert.Equal(csv.Length - 1, epochs.Count);
        for (var i = 0; i < epochs.Count; i++)
        {
            var cells = csv[i + 1].Split(',');
            Assert.Equal(int.Parse(cells[0], CultureInfo.InvariantCulture), epochs[i].GetProperty("epoch").GetInt32());
            for (var c = 1; c < columns.Length; c++)
            {
                Assert.Equal(double.Parse(cells[c], CultureInfo.InvariantCulture), epochs[i].GetProperty("metrics").GetProperty(columns[c]).GetDouble());
            }
        }
        var done = events[^1].Json;
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "summary.json"))).RootElement;
        Assert.Equal(summary.GetProperty("test_accuracy").GetDouble(), done.GetProperty("summary").GetProperty("test_accuracy").GetDouble());
        Assert.Equal("/runs/0/report", done.GetProperty("report").GetString());
        Assert.True(File.Exists(Path.Combine(runDir, "report.html")));
    }
}
