using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Nabla.Serving.Dashboard;
using Nabla.Tests.Serving;
using Nabla.Tests.Support;
using Nabla.Training;
using Xunit.Abstractions;

namespace Nabla.Tests.Browser;

/// <summary>
/// The training dashboard page in a real headless Chromium: opened before a tiny MLP trains, it draws the batches and
/// epochs the server sent (counted from the event stream and <c>/v1/runs</c>) while training runs and when it is done;
/// two finished run folders are overlaid with one legend entry and one series per csv column each; a run without
/// accuracy hides that chart (but only once an epoch has shown there is none). Screenshots go to TestResults/browser/. Without Chromium the tests log why and return (fail with CI=true).
/// </summary>
public sealed class DashboardPageTests(BrowserFixture browsers, ITestOutputHelper log) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly DashboardHost _host = new(new TrainingDashboard(), "nabla-dashboard-page"); // the default 100 ms batch throttle, as nabla train uses

    public Task InitializeAsync() => _host.StartAsync();

    public Task DisposeAsync() => _host.StopAsync();

    /// <summary>
    /// A PNG of the whole page (the learning-rate chart is below the fold of the 1000 x 760 window) in TestResults/browser/,
    /// taken once the progress bar's fill has finished its width transition to the percentage it announces.
    /// </summary>
    private static async Task Screenshot(HeadlessChromium browser, string name)
    {
        await browser.WaitForAsync("""
            Math.abs(document.getElementById('progress-fill').getBoundingClientRect().width / document.getElementById('progress').getBoundingClientRect().width * 100
              - +document.getElementById('progress').getAttribute('aria-valuenow')) < 1
            """, Wait);
        var size = (await browser.SendAsync("Page.getLayoutMetrics")).GetProperty("cssContentSize");
        var result = await browser.SendAsync("Page.captureScreenshot", new JsonObject
        {
            ["format"] = "png", ["captureBeyondViewport"] = true,
            ["clip"] = new JsonObject { ["x"] = 0, ["y"] = 0, ["width"] = size.GetProperty("width").GetDouble(), ["height"] = size.GetProperty("height").GetDouble(), ["scale"] = 1 },
        });
        var path = Repo.Path("TestResults", "browser", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(result.GetProperty("data").GetString()!));
    }

    private void NoPageErrors(HeadlessChromium browser) => Assert.True(browser.Errors.Count == 0, "page errors:\n" + string.Join("\n", browser.Errors));

    private static async Task<string> Text(HeadlessChromium browser, string id) =>
        (await browser.EvaluateAsync($"document.getElementById('{id}').textContent")).GetString()!;

    private static async Task<int> Points(HeadlessChromium browser, string chart) =>
        int.Parse((await browser.EvaluateAsync($"document.getElementById('{chart}').dataset.points")).GetString()!, CultureInfo.InvariantCulture);

    /// <summary>One drawn polyline: its series name, the data-points it claims and the (x, y) pairs of its points attribute.</summary>
    private sealed record Line(string Series, int Claimed, (double X, double Y)[] Drawn, double Length);

    private static async Task<Line[]> Lines(HeadlessChromium browser, string chart)
    {
        var lines = await browser.EvaluateAsync($$"""
            [...document.querySelectorAll('#{{chart}} polyline')].map(p => ({ series: p.dataset.series, points: p.dataset.points,
              drawn: p.getAttribute('points'), length: p.getTotalLength() }))
            """);
        return [.. lines.EnumerateArray().Select(l => new Line(
            l.GetProperty("series").GetString()!,
            int.Parse(l.GetProperty("points").GetString()!, CultureInfo.InvariantCulture),
            [.. l.GetProperty("drawn").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split(','))
                .Select(xy => (double.Parse(xy[0], CultureInfo.InvariantCulture), double.Parse(xy[1], CultureInfo.InvariantCulture)))],
            l.GetProperty("length").GetDouble()))];
    }

    /// <summary>
    /// The chart's polylines really hold the points it claims: one (x, y) pair per data point inside the plot area
    /// (viewBox 560 x 300 less the axis margins), x never decreasing, a visible length once there are two points,
    /// and together as many points as the svg's data-points.
    /// </summary>
    private static async Task<Line[]> CheckDrawn(HeadlessChromium browser, string chart)
    {
        var lines = await Lines(browser, chart);
        foreach (var line in lines)
        {
            Assert.Equal(line.Claimed, line.Drawn.Length);
            Assert.All(line.Drawn, p => Assert.True(p.X is >= 58 and <= 548 && p.Y is >= 12 and <= 264, $"{chart} {line.Series}: point {p} is outside the plot area"));
            for (var i = 1; i < line.Drawn.Length; i++) Assert.True(line.Drawn[i].X >= line.Drawn[i - 1].X, $"{chart} {line.Series}: x goes back at point {i}");
            if (line.Drawn.Length > 1) Assert.True(line.Length > 1, $"{chart} {line.Series}: {line.Drawn.Length} points drawn with length {line.Length}");
        }
        Assert.Equal(await Points(browser, chart), lines.Sum(l => l.Drawn.Length));
        var series = (await browser.EvaluateAsync($"document.getElementById('{chart}').dataset.series")).GetString();
        Assert.Equal(lines.Length.ToString(CultureInfo.InvariantCulture), series);
        return lines;
    }

    /// <summary>
    /// Higher values are drawn higher: the y order of the drawn points is the reverse of the values' order (strictly
    /// when they differ by more than 1% of their spread; closer values may round to the same 0.1 px coordinate).
    /// </summary>
    private static void SameOrder(IReadOnlyList<double> values, Line line)
    {
        Assert.Equal(values.Count, line.Drawn.Length);
        var spread = values.Max() - values.Min();
        for (var i = 0; i < values.Count; i++)
        {
            for (var j = 0; j < values.Count; j++)
            {
                if (values[i] <= values[j]) continue;
                var above = values[i] - values[j] > 0.01 * spread ? line.Drawn[i].Y < line.Drawn[j].Y : line.Drawn[i].Y <= line.Drawn[j].Y;
                Assert.True(above, $"{line.Series}: {values[i]} is drawn at y {line.Drawn[i].Y}, not above {values[j]} at {line.Drawn[j].Y}");
            }
        }
    }

    private static string[] Legend(JsonElement spans) => [.. spans.EnumerateArray().Select(s => s.GetString()!)];

    private static Task<JsonElement> LegendSpans(HeadlessChromium browser) =>
        browser.EvaluateAsync("[...document.querySelectorAll('#legend span[data-run]')].map(s => s.textContent)");

    [Fact]
    public async Task A_page_opened_before_training_draws_the_batches_and_epochs_the_server_sent()
    {
        var browser = browsers.Require(log);
        if (browser is null) return;
        var experiment = DashboardTests.TinyExperiment();
        var batches = experiment.TrainLoader.BatchCount;
        var run = _host.Dashboard.AddRun("tiny-dash");
        await browser.NavigateAsync(_host.Url + "");
        await browser.WaitForAsync("document.getElementById('status').textContent.startsWith('Waiting for training')", Wait);
        Assert.Equal(0, await Points(browser, "loss-chart"));
        Assert.Equal("0", (await browser.EvaluateAsync("document.getElementById('progress').getAttribute('aria-valuenow')")).GetString());
        using var stream = await SseClient.Connect(_host.Url);

        // Training pauses after its first batch and after epoch 1 until the page has been checked mid-run.
        using var paused = new SemaphoreSlim(0);
        using var resume = new SemaphoreSlim(0);
        void Hold()
        {
            paused.Release();
            resume.Wait(TimeSpan.FromSeconds(60));
        }
        var pause = new LambdaCallback(
            onBatchEnd: (epoch, batch, _) => { if (epoch == 0 && batch == 0) Hold(); },
            onEpochEnd: (epoch, _) => { if (epoch == 0) Hold(); });
        var training = Task.Run(() => experiment.Run([new DashboardCallback(run, batches, finishOnTrainEnd: false), pause]));
        try
        {
            Assert.True(await paused.WaitAsync(Wait), "training did not reach the end of its first batch");
            await browser.WaitForAsync($"document.getElementById('progress-label').textContent === 'epoch 1/2, batch 1/{batches}'", Wait);
            Assert.Equal(1, await Points(browser, "loss-chart"));
            Assert.Equal(1, await Points(browser, "lr-chart"));
            // No epoch has ended, so whether the run has an accuracy metric is not known yet: the chart waits, visible.
            Assert.Equal(0, await Points(browser, "accuracy-chart"));
            Assert.False((await browser.EvaluateAsync("document.getElementById('accuracy-figure').hidden")).GetBoolean());
            Assert.Equal("waiting for data", (await browser.EvaluateAsync("document.querySelector('#accuracy-chart text').textContent")).GetString());
            Assert.Equal(Math.Round(100.0 / (2 * batches)).ToString(CultureInfo.InvariantCulture),
                (await browser.EvaluateAsync("document.getElementById('progress').getAttribute('aria-valuenow')")).GetString());
            resume.Release();

            Assert.True(await paused.WaitAsync(Wait), "training did not reach the end of epoch 1");
            await browser.WaitForAsync($"document.getElementById('progress-label').textContent === 'epoch 1/2, batch {batches}/{batches}'", Wait);
            await browser.WaitForAsync("+document.getElementById('accuracy-chart').dataset.points === 2", Wait);
            await Screenshot(browser, "dashboard-live-epoch1.png");
            Assert.Equal("50", (await browser.EvaluateAsync("document.getElementById('progress').getAttribute('aria-valuenow')")).GetString());
            Assert.Equal(["tiny-dash (training)"], Legend(await LegendSpans(browser)));
            Assert.StartsWith("Training tiny-dash: batch loss ", await Text(browser, "status"), StringComparison.Ordinal);
            Assert.True((await browser.EvaluateAsync("document.getElementById('summary').hidden")).GetBoolean());
        }
        finally
        {
            resume.Release(2); // never leave training blocked when a check fails
        }
        var result = await training;

        // nabla train finishes the run once the test figures exist; the page shows them.
        var summary = new JsonObject { ["epochs"] = result.History.Epochs.Count };
        foreach (var (key, value) in result.Test) summary["test_" + key] = Math.Round(value, 6);
        run.Finish(summary, null);
        var sent = await stream.ReadUntil("done");
        await browser.WaitForAsync("document.getElementById('status').textContent.startsWith('Done')", Wait);
        await browser.WaitForAsync($"document.getElementById('progress-label').textContent === 'epoch 2/2, batch {batches}/{batches}'", Wait);
        await Screenshot(browser, "dashboard-live.png");

        // What the server sent: the throttled batch events (first and every epoch's last at least) and /v1/runs' history.
        var batchEvents = sent.Where(e => e.Type == "batch").Select(e => e.Json).ToList();
        Assert.InRange(batchEvents.Count, 3, 2 * batches); // the run's first batch and each epoch's last are always sent
        using var http = new HttpClient { BaseAddress = _host.Url };
        var served = JsonDocument.Parse(await http.GetStringAsync("/v1/runs")).RootElement.GetProperty("runs")[0];
        var history = served.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("metrics")).ToList();
        Assert.Equal(2, history.Count);
        double[] Column(string key) => [.. history.Select(m => m.GetProperty(key).GetDouble())];

        var loss = await CheckDrawn(browser, "loss-chart");
        Assert.Equal(batchEvents.Count + 2 * history.Count, await Points(browser, "loss-chart"));
        Assert.Equal(["batches", "loss", "val_loss"], loss.Select(l => l.Series));
        Assert.Equal(batchEvents.Count, loss[0].Drawn.Length);
        SameOrder([.. batchEvents.Select(b => b.GetProperty("loss").GetDouble())], loss[0]);
        SameOrder(Column("loss"), loss[1]);
        SameOrder(Column("val_loss"), loss[2]);
        // An epoch's last batch sits at that epoch on the x axis, where its epoch point is.
        var ends = batchEvents.Select((b, i) => (b, i)).Where(t => t.b.GetProperty("batch").GetInt32() == batches).Select(t => loss[0].Drawn[t.i].X).ToArray();
        Assert.Equal(loss[1].Drawn.Select(p => p.X), ends);

        var accuracy = await CheckDrawn(browser, "accuracy-chart");
        Assert.Equal(["accuracy", "val_accuracy"], accuracy.Select(l => l.Series));
        SameOrder(Column("accuracy"), accuracy[0]);
        SameOrder(Column("val_accuracy"), accuracy[1]);
        Assert.False((await browser.EvaluateAsync("document.getElementById('accuracy-figure').hidden")).GetBoolean());
        var lr = await CheckDrawn(browser, "lr-chart");
        Assert.Equal(["batches", "lr"], lr.Select(l => l.Series));
        Assert.Equal([batchEvents.Count, 2], lr.Select(l => l.Drawn.Length));
        // The spec's learning rate is constant (sgd 0.1, no schedule): a flat series is padded equally above and below,
        // so it is drawn halfway up the plot area (y from 12 to 264), not pushed off the middle by an extra tick.
        Assert.All(lr.SelectMany(l => l.Drawn), p => Assert.Equal((12 + 264) / 2.0, p.Y, 0.5));

        Assert.Equal("100", (await browser.EvaluateAsync("document.getElementById('progress').getAttribute('aria-valuenow')")).GetString());
        Assert.Equal(["tiny-dash"], Legend(await LegendSpans(browser)));
        var status = await Text(browser, "status");
        var figures = string.Join(", ", result.Test.Select(kv => string.Create(CultureInfo.InvariantCulture, $"test {kv.Key} {kv.Value:0.0000}")));
        Assert.Equal($"Done: tiny-dash, 2 epochs. {figures}.", status);
        var table = await browser.EvaluateAsync("document.getElementById('summary').hidden ? null : [...document.querySelectorAll('#summary tr')].map(r => [...r.cells].map(c => c.textContent))");
        Assert.Equal(JsonValueKind.Array, table.ValueKind);
        var rows = table.EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetString()!).ToArray()).ToArray();
        Assert.Equal(["", "tiny-dash"], rows[0]);
        Assert.Equal(["epochs", "2"], rows[1]);
        Assert.Contains(rows, r => r[0] == "test_accuracy" && Math.Abs(double.Parse(r[1], CultureInfo.InvariantCulture) - result.Test["accuracy"]) < 1e-4);
        Assert.True((await browser.EvaluateAsync("document.getElementById('report').hidden")).GetBoolean()); // no report.html was written
        NoPageErrors(browser);
    }

    /// <summary>Writes a run folder as nabla train would: metrics.csv from the rows (empty cells for missing values) and summary.json.</summary>
    private string RunFolder(string name, string[] columns, double?[][] rows, JsonObject summary)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_host.Folder, name)).FullName;
        var lines = rows.Select((row, e) => string.Join(',', [(e + 1).ToString(CultureInfo.InvariantCulture), .. row.Select(v => v?.ToString(CultureInfo.InvariantCulture) ?? "")]));
        File.WriteAllLines(Path.Combine(folder, "metrics.csv"), [string.Join(',', ["epoch", .. columns]), .. lines]);
        File.WriteAllText(Path.Combine(folder, "summary.json"), summary.ToJsonString());
        return folder;
    }

    [Fact]
    public async Task Two_finished_runs_are_overlaid_with_one_series_per_csv_column()
    {
        var browser = browsers.Require(log);
        if (browser is null) return;
        string[] columns = ["loss", "accuracy", "val_loss", "val_accuracy", "lr"];
        double?[][] mlp =
        [
            [1.9, 0.45, 1.7, 0.52, 0.1],
            [1.2, 0.66, 1.1, 0.70, 0.1],
            [0.8, 0.78, 0.9, 0.75, 0.05],
        ];
        double?[][] cnn =
        [
            [1.5, 0.55, null, null, 0.01], // validation ran only from epoch 2 on: empty cells
            [0.7, 0.80, 0.75, 0.79, 0.01],
            [0.4, 0.88, 0.5, 0.85, 0.01],
            [0.3, 0.91, 0.45, 0.87, 0.001],
            [0.25, 0.93, 0.44, 0.88, 0.001],
        ];
        _host.Dashboard.AddFinishedRun(RunFolder("mlp", columns, mlp, new JsonObject { ["epochs"] = 3, ["test_accuracy"] = 0.74 }));
        _host.Dashboard.AddFinishedRun(RunFolder("cnn", columns, cnn, new JsonObject { ["epochs"] = 5, ["test_accuracy"] = 0.87 }));
        await browser.NavigateAsync(_host.Url + "");
        await browser.WaitForAsync("document.getElementById('status').textContent === 'Comparing 2 runs.'", Wait);
        await Screenshot(browser, "dashboard-compare.png");

        Assert.Equal(["mlp", "cnn"], Legend(await LegendSpans(browser)));
        static int Count(double?[][] rows, int column) => rows.Count(r => r[column] is not null);
        var loss = await CheckDrawn(browser, "loss-chart");
        Assert.Equal(["mlp loss", "mlp val_loss", "cnn loss", "cnn val_loss"], loss.Select(l => l.Series)); // no batch lines for finished runs
        Assert.Equal([mlp.Length, mlp.Length, cnn.Length, Count(cnn, 2)], loss.Select(l => l.Drawn.Length));
        SameOrder([.. mlp.Select(r => r[0]!.Value), .. cnn.Select(r => r[0]!.Value)], loss[0] with { Drawn = [.. loss[0].Drawn, .. loss[2].Drawn] });
        var accuracy = await CheckDrawn(browser, "accuracy-chart");
        Assert.Equal([mlp.Length, mlp.Length, cnn.Length, Count(cnn, 3)], accuracy.Select(l => l.Drawn.Length));
        var lr = await CheckDrawn(browser, "lr-chart");
        Assert.Equal(["mlp lr", "cnn lr"], lr.Select(l => l.Series));
        Assert.Equal([mlp.Length, cnn.Length], lr.Select(l => l.Drawn.Length));
        // The two runs are told apart by colour, in the legend and on the charts.
        var colours = await browser.EvaluateAsync("""
            ({ legend: [...document.querySelectorAll('#legend span')].map(s => getComputedStyle(s, '::before').backgroundColor),
               lines: [...document.querySelectorAll('#loss-chart polyline')].map(p => getComputedStyle(p).stroke) })
            """);
        var legendColours = colours.GetProperty("legend").EnumerateArray().Select(c => c.GetString()!).ToArray();
        var lineColours = colours.GetProperty("lines").EnumerateArray().Select(c => c.GetString()!).ToArray();
        Assert.NotEqual(legendColours[0], legendColours[1]);
        Assert.Equal([legendColours[0], legendColours[0], legendColours[1], legendColours[1]], lineColours);

        Assert.Equal("100", (await browser.EvaluateAsync("document.getElementById('progress').getAttribute('aria-valuenow')")).GetString());
        var header = await browser.EvaluateAsync("[...document.querySelectorAll('#summary tr')][0] && [...document.querySelector('#summary tr').cells].map(c => c.textContent)");
        Assert.Equal(["", "mlp", "cnn"], header.EnumerateArray().Select(c => c.GetString()));
        NoPageErrors(browser);
    }

    [Fact]
    public async Task A_run_without_accuracy_hides_the_accuracy_chart()
    {
        var browser = browsers.Require(log);
        if (browser is null) return;
        double?[][] rows = [[0.9, 0.95, 0.01], [0.5, 0.6, 0.01]];
        _host.Dashboard.AddFinishedRun(RunFolder("regression", ["loss", "val_loss", "lr"], rows, new JsonObject { ["epochs"] = 2 }));
        await browser.NavigateAsync(_host.Url + "");
        await browser.WaitForAsync("document.getElementById('status').textContent.startsWith('Done')", Wait);
        Assert.Equal(4, (await CheckDrawn(browser, "loss-chart")).Sum(l => l.Drawn.Length));
        Assert.Equal(0, await Points(browser, "accuracy-chart"));
        Assert.True((await browser.EvaluateAsync("document.getElementById('accuracy-figure').hidden")).GetBoolean());
        Assert.Equal(["regression"], Legend(await LegendSpans(browser)));
        NoPageErrors(browser);
    }
}
