using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Nabla.Serving.Images;
using Nabla.Specs;

namespace Nabla.Serving;

/// <summary>
/// The HTTP server of a saved model: <c>POST /v1/predict</c> (JSON or PNG), <c>GET /v1/model</c>, <c>/v1/samples</c>,
/// <c>/healthz</c>, <c>/metrics</c> and the draw-a-digit page at <c>/</c>. Every error is JSON <c>{"error": "..."}</c>.
/// </summary>
public static class NablaServer
{
    // Error messages quote JSON; plain quotes read better than \u0022 (the body is never embedded in HTML).
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Builds (but does not start) the app; call <c>Run</c>, or <c>StartAsync</c> and read <c>Urls</c> for the bound address.</summary>
    public static WebApplication Build(SavedModel model, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxBodyBytes < 1) throw new ArgumentException($"NablaServer: MaxBodyBytes must be positive; got {options.MaxBodyBytes}.");
        var predictor = new Predictor(model, options.MaxBatch);
        var metrics = new ServerMetrics();
        var samples = Samples(options);
        var modelInfo = ModelInfo(model, options.RunDirectory).ToJsonString();
        var page = Resource("index.html");

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(NablaServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.Url);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null); // bodies are capped (with a JSON error) in ReadBody
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var clock = Stopwatch.StartNew();
            try
            {
                await next(context);
            }
            catch (RequestError e)
            {
                await Error(context, e.StatusCode, e.Message);
            }
            catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
            {
                // A bug or an unexpected model failure: still a JSON answer, and counted as an error.
                await Error(context, 500, "internal error: " + e.Message);
            }
            finally
            {
                metrics.Record(context.Response.StatusCode, clock.Elapsed.TotalMilliseconds);
            }
        });
        // Empty 4xx/5xx responses (unknown routes, wrong methods) still get a JSON error.
        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            var message = context.Response.StatusCode switch
            {
                404 => $"no route {context.Request.Method} {context.Request.Path}; try GET /, GET /v1/model, POST /v1/predict, GET /healthz, GET /metrics.",
                405 => $"{context.Request.Method} is not allowed on {context.Request.Path}.",
                var code => $"request failed with status {code}.",
            };
            await WriteJson(context, new JsonObject { ["error"] = message });
        });

        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        app.MapGet("/healthz", () => Results.Text("{\"status\":\"ok\"}", "application/json"));
        app.MapGet("/metrics", () => Results.Text(metrics.ToPrometheus(), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapGet("/v1/model", () => Results.Text(modelInfo, "application/json"));
        app.MapGet("/v1/samples", () => Results.Text(samples, "application/json"));
        app.MapPost("/v1/predict", async (HttpContext context) =>
        {
            var body = await ReadBody(context.Request, options.MaxBodyBytes);
            var type = context.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
            var (values, count, batch) = type switch
            {
                "image/png" => predictor.ParsePng(body),
                "application/json" or null or "" => predictor.ParseJson(body),
                _ => throw new RequestError(415, $"unsupported Content-Type {type}; send application/json or image/png."),
            };
            await WriteJson(context, predictor.Predict(values, count, batch));
        });
        return app;
    }

    private static async Task<byte[]> ReadBody(HttpRequest request, long limit)
    {
        if (request.ContentLength > limit) throw new RequestError(413, $"the body of {request.ContentLength} bytes is over the limit of {limit} bytes.");
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk)) > 0)
        {
            if (buffer.Length + read > limit) throw new RequestError(413, $"the body is over the limit of {limit} bytes.");
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) throw new RequestError(400, "the body is empty; send JSON {\"inputs\": [...]} or a PNG image.");
        return buffer.ToArray();
    }

    private static Task Error(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return WriteJson(context, new JsonObject { ["error"] = message });
    }

    private static async Task WriteJson(HttpContext context, JsonNode node)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(node.ToJsonString(Relaxed));
    }

    /// <summary>Name, input shape, classes, parameter count and the run's summary.json (when the run folder has one).</summary>
    internal static JsonObject ModelInfo(SavedModel model, string? runDirectory)
    {
        JsonNode? summary = null;
        var summaryPath = runDirectory is null ? null : Path.Combine(runDirectory, "summary.json");
        if (summaryPath is not null && File.Exists(summaryPath))
        {
            try
            {
                summary = JsonNode.Parse(File.ReadAllText(summaryPath));
            }
            catch (JsonException)
            {
                summary = null; // a damaged summary is left out rather than failing the whole model description
            }
        }
        return new JsonObject
        {
            ["name"] = model.Name,
            ["inputShape"] = new JsonArray([.. model.InputShape.Select(d => (JsonNode)d)]),
            ["classes"] = model.Classes is null ? null : new JsonArray([.. model.Classes.Select(c => (JsonNode)c)]),
            ["parameters"] = model.Model.ParameterCount(),
            ["acceptsPng"] = model.InputShape is [1, > 0, > 0] or [> 0, > 0],
            ["summary"] = summary,
        };
    }

    /// <summary>The first test digits of an MNIST folder as PNG data URIs with their labels (JSON), or [] without one.</summary>
    private static string Samples(ServerOptions options)
    {
        var list = new JsonArray();
        if (options.SamplesDirectory is { } dir && options.SampleCount > 0)
        {
            var test = Data.Mnist.Load(dir, train: false);
            var n = Math.Min(options.SampleCount, test.Count);
            var indices = Enumerable.Range(0, n).ToArray();
            var batch = test.GetBatch(indices);
            var pixels = batch.Input.Reshape(n, -1).ToArray();
            var labels = batch.Target.Reshape(n).ToArray();
            var size = pixels.Length / n;
            var side = (int)Math.Round(Math.Sqrt(size));
            for (var i = 0; i < n; i++)
            {
                var grey = pixels.AsSpan(i * size, size).ToArray().Select(v => (byte)Math.Clamp(MathF.Round(v * 255), 0, 255)).ToArray();
                list.Add(new JsonObject
                {
                    ["label"] = ((int)labels[i]).ToString(CultureInfo.InvariantCulture),
                    ["png"] = "data:image/png;base64," + Convert.ToBase64String(Png.EncodeGrey(grey, side, side)),
                });
            }
        }
        return list.ToJsonString();
    }

    /// <summary>A file of the embedded Web folder as text.</summary>
    internal static string Resource(string name)
    {
        using var stream = typeof(NablaServer).Assembly.GetManifestResourceStream("Nabla.Serving.Web." + name)
            ?? throw new InvalidOperationException($"NablaServer: embedded resource Web/{name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
