using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nabla.Serving.Images;

namespace Nabla.Tests.Serving;

/// <summary>The HTTP API against an in-process server: predictions agree with <c>SavedModel.Predict</c>, bad input gets 4xx JSON errors.</summary>
public sealed class ServerTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    private HttpClient Client => fixture.Client;

    private float[] Digit(int i) => fixture.Test.GetBatch([i]).Input.Reshape(784).ToArray();
    private int Label(int i) => (int)fixture.Test.GetBatch([i]).Target.Reshape(1).ToArray()[0];

    // Reference: softmax of SavedModel.Predict outputs, computed here in double precision.
    private double[][] Expected(float[] pixels, int n)
    {
        var outputs = fixture.Model.Predict(Tensor.FromArray(pixels, n, 1, 28, 28)).ToArray();
        return [.. Enumerable.Range(0, n).Select(i =>
        {
            var row = outputs.Skip(i * 10).Take(10).Select(v => (double)v).ToArray();
            var max = row.Max();
            var exp = row.Select(v => Math.Exp(v - max)).ToArray();
            return exp.Select(e => e / exp.Sum()).ToArray();
        })];
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string body, string type = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(type);
        return await Send(content);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Send(HttpContent content)
    {
        using var response = await Client.PostAsync("/v1/predict", content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static void CheckResult(JsonElement result, double[] expected)
    {
        var p = result.GetProperty("probabilities").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(expected.Length, p.Length);
        for (var c = 0; c < p.Length; c++) Assert.True(Math.Abs(p[c] - expected[c]) < 1e-5, $"class {c}: {p[c]} vs {expected[c]}");
        var best = Array.IndexOf(expected, expected.Max());
        Assert.Equal(best, result.GetProperty("index").GetInt32());
        Assert.Equal(best.ToString(CultureInfo.InvariantCulture), result.GetProperty("class").GetString());
    }

    [Fact]
    public async Task Single_example_matches_the_saved_model()
    {
        var pixels = Digit(0);
        var (status, body) = await Post(Json(new { inputs = pixels }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("batch").GetBoolean());
        Assert.True(body.GetProperty("latencyMs").GetDouble() >= 0);
        CheckResult(body.GetProperty("results")[0], Expected(pixels, 1)[0]);
    }

    [Fact]
    public async Task Batch_gives_one_result_per_example()
    {
        var pixels = Enumerable.Range(0, 5).SelectMany(Digit).ToArray();
        var (status, body) = await Post(Json(new { inputs = pixels, shape = new[] { 5, 1, 28, 28 } }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("batch").GetBoolean());
        var expected = Expected(pixels, 5);
        Assert.Equal(5, body.GetProperty("results").GetArrayLength());
        for (var i = 0; i < 5; i++) CheckResult(body.GetProperty("results")[i], expected[i]);
    }

    [Fact]
    public async Task Nested_inputs_give_their_own_shape()
    {
        var pixels = Digit(1);
        var nested = new[] { Enumerable.Range(0, 28).Select(r => pixels.Skip(r * 28).Take(28).ToArray()).ToArray() };
        var (status, body) = await Post(Json(new { inputs = nested }));
        Assert.Equal(HttpStatusCode.OK, status);
        CheckResult(body.GetProperty("results")[0], Expected(pixels, 1)[0]);
    }

    [Fact]
    public async Task Png_uploads_of_test_digits_get_their_labels()
    {
        var right = 0;
        for (var i = 0; i < 10; i++)
        {
            var grey = Digit(i).Select(v => (byte)MathF.Round(v * 255)).ToArray();
            using var content = new ByteArrayContent(Png.EncodeGrey(grey, 28, 28));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
            var (status, body) = await Send(content);
            Assert.Equal(HttpStatusCode.OK, status);
            if (body.GetProperty("results")[0].GetProperty("index").GetInt32() == Label(i)) right++;
        }
        Assert.True(right >= 9, $"only {right} of 10 test digits classified right from PNG uploads");
    }

    public static TheoryData<string, string, int, string> BadInputs => new()
    {
        { "application/json", "{\"inputs\": [1, 2, 3]}", 400, "one example of [1, 28, 28] needs 784" },
        { "application/json", Json(new { inputs = new float[784], shape = new[] { 28, 28 } }), 400, "does not fit the model" },
        { "application/json", Json(new { inputs = new float[783], shape = new[] { 1, 28, 28 } }), 400, "needs 784 values; got 783" },
        { "application/json", Json(new { inputs = new float[65 * 784], shape = new[] { 65, 1, 28, 28 } }), 400, "over the limit of 64" },
        { "application/json", "{\"inputs\": [1, \"a\", 3]}", 400, "input value 1 is not a number" },
        { "application/json", "{\"inputs\": [1, NaN]}", 400, "not valid JSON" },
        { "application/json", "{\"inputs\": [1, 1e999]}", 400, "input value 1 is not a finite number" },
        { "application/json", "{\"inputs\": [[1, 2], [3]]}", 400, "ragged" },
        { "application/json", "{\"inputs\": [1], \"shape\": [-1]}", 400, "positive whole numbers" },
        { "application/json", "[1, 2]", 400, "\\\"inputs\\\" array" },
        { "application/json", "{\"path\": \"/etc/passwd\"}", 400, "\\\"inputs\\\" array" },
        { "image/png", "GIF89a not a png", 400, "not a PNG image" },
        { "text/plain", "hello", 415, "unsupported Content-Type text/plain" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_gets_a_4xx_json_error(string type, string body, int status, string message)
    {
        var (code, json) = await Post(body, type);
        Assert.Equal(status, (int)code);
        Assert.Contains(message.Replace("\\\"", "\"", StringComparison.Ordinal), json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bodies_over_the_limit_get_413()
    {
        var (code, json) = await Post(new string(' ', 200_001));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, code);
        Assert.Contains("over the limit of 200000 bytes", json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_png_is_rejected()
    {
        var png = Png.EncodeGrey(new byte[784], 28, 28);
        using var content = new ByteArrayContent(png[..20]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        var (code, json) = await Send(content);
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Contains("truncated", json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/nowhere", 404, "no route GET /nowhere")]
    [InlineData("GET", "/v1/predict", 405, "GET is not allowed on /v1/predict")]
    public async Task Unknown_routes_get_json_errors(string method, string path, int status, string message)
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(status, (int)response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(message, json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Model_describes_shape_classes_parameters_and_summary()
    {
        var json = JsonDocument.Parse(await Client.GetStringAsync("/v1/model")).RootElement;
        Assert.Equal("tiny-serve", json.GetProperty("name").GetString());
        Assert.Equal([1, 28, 28], json.GetProperty("inputShape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(10, json.GetProperty("classes").GetArrayLength());
        Assert.Equal(784 * 32 + 32 + 32 * 10 + 10, json.GetProperty("parameters").GetInt64()); // two Linear layers by hand
        Assert.Equal(2, json.GetProperty("summary").GetProperty("epochs").GetInt32());
    }

    [Fact]
    public async Task Health_and_metrics_count_requests_and_errors()
    {
        Assert.Contains("ok", await Client.GetStringAsync("/healthz"), StringComparison.Ordinal);
        var before = Metrics(await Client.GetStringAsync("/metrics"));
        await Post(Json(new { inputs = Digit(2) }));
        await Post("{}");
        var text = await Client.GetStringAsync("/metrics");
        var after = Metrics(text);
        // Counted after the snapshot: the snapshot request itself (recorded once answered) and both predictions.
        Assert.True(after["nabla_requests_total"] >= before["nabla_requests_total"] + 3, text);
        Assert.True(after["nabla_request_errors_total"] >= before["nabla_request_errors_total"] + 1, text);
        Assert.Contains("# TYPE nabla_request_latency_ms summary", text, StringComparison.Ordinal);
        var (p50, p90, p99) = (after["nabla_request_latency_ms{quantile=\"0.5\"}"], after["nabla_request_latency_ms{quantile=\"0.9\"}"], after["nabla_request_latency_ms{quantile=\"0.99\"}"]);
        Assert.True(p50 <= p90 && p90 <= p99 && p50 >= 0, text);
    }

    private static Dictionary<string, double> Metrics(string text) =>
        text.Split('\n').Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));

    [Fact]
    public async Task Concurrent_requests_all_get_correct_results()
    {
        var expected = Expected([.. Enumerable.Range(0, 32).SelectMany(Digit)], 32);
        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Post(Json(new { inputs = Digit(i) }))));
        for (var i = 0; i < 32; i++)
        {
            Assert.Equal(HttpStatusCode.OK, answers[i].Status);
            CheckResult(answers[i].Body.GetProperty("results")[0], expected[i]);
        }
    }

    [Fact]
    public async Task Page_has_the_canvas_and_no_external_urls()
    {
        using var response = await Client.GetAsync("/");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<canvas id=\"pad\" width=\"280\" height=\"280\">", html, StringComparison.Ordinal);
        Assert.Contains("/v1/predict", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex("(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}", RegexOptions.IgnoreCase), html);
    }

    [Fact]
    public async Task Samples_are_labelled_test_digits_as_png()
    {
        var list = JsonDocument.Parse(await Client.GetStringAsync("/v1/samples")).RootElement;
        Assert.Equal(12, list.GetArrayLength());
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(Label(i).ToString(CultureInfo.InvariantCulture), list[i].GetProperty("label").GetString());
            var uri = list[i].GetProperty("png").GetString()!;
            var image = Png.Decode(Convert.FromBase64String(uri["data:image/png;base64,".Length..]));
            var expected = Digit(i).Select(v => (byte)MathF.Round(v * 255)).ToArray();
            Assert.Equal(expected, image.Rgba.Where((_, k) => k % 4 == 0));
        }
    }
}
