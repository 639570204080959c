using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Nabla.Serving.Dashboard;

/// <summary>
/// The live training dashboard: a page at <c>/</c> drawing loss, accuracy and learning-rate curves, fed by
/// server-sent events at <c>/v1/events</c> (replay of everything so far, then live <c>start</c>/<c>batch</c>/<c>epoch</c>/<c>done</c>),
/// the same data as JSON at <c>/v1/runs</c>, and each run's report.html at <c>/runs/{i}/report</c> (<c>/report</c> for the first run).
/// Add runs (live ones fed by <see cref="DashboardCallback"/>, or finished ones read from their folders), then <see cref="Build"/>.
/// </summary>
public sealed class TrainingDashboard
{
    private readonly List<DashboardRun> _runs = [];
    private readonly Lock _gate = new();

    /// <param name="minBatchInterval">The shortest time between two published batch events of a run (default 100 ms: at most ~10 per second).</param>
    /// <param name="hub">The event hub (default: one with the default queue sizes).</param>
    public TrainingDashboard(TimeSpan? minBatchInterval = null, DashboardHub? hub = null)
    {
        MinBatchInterval = minBatchInterval ?? TimeSpan.FromMilliseconds(100);
        if (MinBatchInterval < TimeSpan.Zero) throw new ArgumentException($"TrainingDashboard: minBatchInterval must be >= 0; got {MinBatchInterval}.");
        Hub = hub ?? new DashboardHub();
    }

    public DashboardHub Hub { get; }
    public TimeSpan MinBatchInterval { get; }

    public IReadOnlyList<DashboardRun> Runs { get { lock (_gate) return [.. _runs]; } }

    /// <summary>A run to be fed live (by a <see cref="DashboardCallback"/>); its report is looked for in <paramref name="runDirectory"/>.</summary>
    public DashboardRun AddRun(string name, string? runDirectory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            // Runs are told apart by name in the legend, so a repeated name gets a number.
            var unique = name;
            for (var k = 2; _runs.Any(r => r.Name == unique); k++) unique = $"{name} ({k})";
            var run = new DashboardRun(Hub, _runs.Count, unique, runDirectory, MinBatchInterval);
            _runs.Add(run);
            return run;
        }
    }

    /// <summary>
    /// A finished run read from its folder (metrics.csv, optional summary.json and report.html), named after the folder.
    /// Throws <see cref="DirectoryNotFoundException"/> or <see cref="InvalidDataException"/> for a folder that is not a run.
    /// </summary>
    public DashboardRun AddFinishedRun(string runDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        var full = Path.GetFullPath(runDirectory);
        var rows = RunFolder.ReadMetrics(full);
        var summary = RunFolder.ReadSummary(full);
        var run = AddRun(Path.GetFileName(Path.TrimEndingDirectorySeparator(full)), full);
        var planned = summary?["epochs"] is JsonValue e && e.TryGetValue<int>(out var n) ? n : rows.Count;
        run.Start(planned, 0);
        foreach (var (epoch, metrics) in rows) run.Epoch(epoch, metrics, null);
        var stopReason = summary?["stop_reason"] is JsonValue s && s.TryGetValue<string>(out var reason) ? reason : null;
        run.Finish(summary, stopReason);
        return run;
    }

    /// <summary>Every run as JSON (<c>GET /v1/runs</c>).</summary>
    public JsonObject ToJson() => new() { ["runs"] = new JsonArray([.. Runs.Select(r => (JsonNode)r.ToJson())]) };

    /// <summary>Builds (but does not start) the server; <paramref name="url"/> such as <c>http://127.0.0.1:0</c> (port 0 picks a free port).</summary>
    public WebApplication Build(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        var page = NablaServer.Resource("dashboard.html");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(TrainingDashboard).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        // Open event streams would otherwise hold shutdown until its timeout.
        app.Lifetime.ApplicationStopping.Register(Hub.Close);
        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            var message = context.Response.StatusCode == 404
                ? $"no route {context.Request.Method} {context.Request.Path}; try GET /, GET /v1/events, GET /v1/runs, GET /runs/{{i}}/report."
                : $"request failed with status {context.Response.StatusCode}.";
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(new JsonObject { ["error"] = message }.ToJsonString());
        });

        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        app.MapGet("/healthz", () => Results.Text("{\"status\":\"ok\"}", "application/json"));
        app.MapGet("/v1/runs", () => Results.Text(ToJson().ToJsonString(), "application/json"));
        app.MapGet("/v1/events", Stream);
        app.MapGet("/report", () => Report(0));
        app.MapGet("/runs/{index:int}/report", (int index) => Report(index));
        return app;
    }

    private IResult Report(int index)
    {
        // The file is always <run folder>/report.html of a run added here; nothing from the request names a path.
        var runs = Runs;
        if (index < 0 || index >= runs.Count) return Results.Json(new { error = $"no run {index}; there are {runs.Count}." }, statusCode: 404);
        return runs[index].ReportFile is { } file
            ? Results.File(file, "text/html; charset=utf-8")
            : Results.Json(new { error = $"run {runs[index].Name} has no report.html yet (it is written when training ends)." }, statusCode: 404);
    }

    private async Task Stream(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var aborted = context.RequestAborted;
        using var subscription = Hub.Subscribe();
        try
        {
            // One write for the whole replay: a late page gets the history in a single chunk.
            var replay = new StringBuilder();
            foreach (var e in subscription.Replay) replay.Append(e.ToWireFormat());
            await response.WriteAsync(replay.Length > 0 ? replay.ToString() : ": connected\n\n", aborted);
            await response.Body.FlushAsync(aborted);
            await foreach (var e in subscription.Reader.ReadAllAsync(aborted))
            {
                await response.WriteAsync(e.ToWireFormat(), aborted);
                await response.Body.FlushAsync(aborted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away; its subscription ends with this request and training never notices.
        }
    }
}
