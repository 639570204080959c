using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Nabla.Serving;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla serve RUN_OR_MODEL [--port P] [--host H]</c>: a saved model behind an HTTP API and a draw-a-digit page.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("run-or-model") { Description = "A run folder (runs/<name>) or the model folder inside it." };
        var port = new Option<int>("--port") { Description = "The port to listen on (0 picks a free one).", DefaultValueFactory = _ => 8080 };
        var host = new Option<string>("--host") { Description = "The address to bind; loopback by default, so only this machine can reach it.", DefaultValueFactory = _ => "127.0.0.1" };
        var maxBatch = new Option<int>("--max-batch") { Description = "The most examples one JSON request may carry.", DefaultValueFactory = _ => 256 };
        var samples = new Option<string?>("--samples") { Description = "An MNIST folder whose test digits the page offers (default: the bundled data/mnist, when found)." };
        var command = new Command("serve", "Serve a saved model over HTTP: POST /v1/predict (JSON or PNG), GET /v1/model, /healthz, /metrics, and a draw-a-digit page at /.")
        {
            model, port, host, maxBatch, samples,
        };
        command.SetAction(parseResult =>
        {
            try
            {
                return Run(parseResult.GetValue(model)!, parseResult.GetValue(host)!, parseResult.GetValue(port), parseResult.GetValue(maxBatch),
                    parseResult.GetValue(samples), parseResult.InvocationConfiguration.Output);
            }
            catch (Exception e) when (ModelInputs.IsUserError(e))
            {
                return ModelInputs.Fail(parseResult.InvocationConfiguration.Error, e);
            }
        });
        return command;
    }

    internal static int Run(string runOrModel, string host, int port, int maxBatch, string? samples, TextWriter output)
    {
        if (port is < 0 or > 65535) throw new ArgumentException($"--port must be 0..65535; got {port}.");
        var model = ModelInputs.LoadModel(runOrModel);
        samples ??= ModelInputs.TakesGreyImages(model) ? TryFindMnist(runOrModel) : null;
        var runDirectory = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runOrModel))) == "model"
            ? Path.GetDirectoryName(Path.GetFullPath(runOrModel)) : runOrModel;
        var hostPart = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        var options = new ServerOptions
        {
            Url = $"http://{hostPart}:{port}",
            MaxBatch = maxBatch,
            RunDirectory = runDirectory,
            SamplesDirectory = samples,
        };
        using var app = NablaServer.Build(model, options);
        app.StartAsync().GetAwaiter().GetResult();
        foreach (var url in app.Urls) output.WriteLine($"serving {model.Name} at {url}/ (Ctrl+C to stop)");
        app.WaitForShutdownAsync().GetAwaiter().GetResult();
        return 0;
    }

    private static string? TryFindMnist(string near)
    {
        try
        {
            return ModelInputs.FindBundledMnist(near);
        }
        catch (DirectoryNotFoundException)
        {
            return null; // the page simply shows no sample digits
        }
    }
}
