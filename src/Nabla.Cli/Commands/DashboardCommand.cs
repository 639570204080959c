using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Nabla.Serving.Dashboard;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla dashboard RUN_DIR [RUN_DIR...] [--port P] [--host H]</c>: finished runs' curves (several overlaid) in the training dashboard.</summary>
internal static class DashboardCommand
{
    public const int DefaultPort = 5180;

    public static Command Create()
    {
        var runs = new Argument<string[]>("run-dir") { Description = "One or more run folders written by nabla train (runs/<name>); several are overlaid on one chart.", Arity = ArgumentArity.OneOrMore };
        var port = new Option<int>("--port") { Description = $"The port to listen on (0 picks a free one).", DefaultValueFactory = _ => DefaultPort };
        var host = new Option<string>("--host") { Description = "The address to bind; loopback by default, so only this machine can reach it.", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new Command("dashboard", "Show finished runs in the training dashboard: loss, accuracy and learning-rate curves, summaries and reports; several runs are compared on one chart.")
        {
            runs, port, host,
        };
        command.SetAction(parseResult =>
        {
            try
            {
                return Run(parseResult.GetValue(runs)!, parseResult.GetValue(host)!, parseResult.GetValue(port), parseResult.InvocationConfiguration.Output);
            }
            catch (Exception e) when (e is ArgumentException or DirectoryNotFoundException or InvalidDataException)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    internal static int Run(IReadOnlyList<string> runDirectories, string host, int port, TextWriter output)
    {
        var dashboard = Load(runDirectories);
        using var app = Start(dashboard, host, port);
        var names = string.Join(", ", dashboard.Runs.Select(r => r.Name));
        output.WriteLine($"dashboard of {names} at {app.Urls.First()}/ (Ctrl+C to stop)");
        app.WaitForShutdownAsync().GetAwaiter().GetResult();
        return 0;
    }

    /// <summary>A dashboard of finished runs; throws for a folder that is not a run (no metrics.csv).</summary>
    internal static TrainingDashboard Load(IReadOnlyList<string> runDirectories)
    {
        if (runDirectories.Count == 0) throw new ArgumentException("nabla dashboard needs at least one run folder.");
        var dashboard = new TrainingDashboard();
        foreach (var dir in runDirectories) dashboard.AddFinishedRun(dir);
        return dashboard;
    }

    /// <summary>Builds and starts the dashboard's server on host:port (port 0: a free one); a busy port is a clear error.</summary>
    internal static WebApplication Start(TrainingDashboard dashboard, string host, int port)
    {
        if (port is < 0 or > 65535) throw new ArgumentException($"--port must be 0..65535; got {port}.");
        var hostPart = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        var app = dashboard.Build($"http://{hostPart}:{port}");
        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            ((IDisposable)app).Dispose();
            throw new ArgumentException($"the dashboard cannot listen on {host}:{port} ({e.Message}); pick another --port, or 0 for a free one.", e);
        }
        return app;
    }
}
