using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nabla.Tests.Serving;
using Nabla.Tests.Support;
using Xunit.Abstractions;

namespace Nabla.Tests.Browser;

/// <summary>
/// The draw-a-digit page in a real headless Chromium against the in-process server: strokes drawn with mouse or touch
/// events give ten probabilities and the class the API gives for the same pixels; Clear resets; gallery digits predict
/// their labels. Screenshots go to TestResults/browser/. Without Chromium the tests log why and return (fail with CI=true).
/// </summary>
public sealed partial class DrawDigitPageTests(ServingFixture server, BrowserFixture browsers, ITestOutputHelper log)
    : IClassFixture<ServingFixture>, IClassFixture<BrowserFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static string Screenshot(string name) => Repo.Path("TestResults", "browser", name);

    /// <summary>The page loaded, with the model description and the sample list fetched.</summary>
    private async Task<HeadlessChromium?> Open()
    {
        var browser = browsers.Require(log);
        if (browser is null) return null;
        await browser.NavigateAsync(server.App.Urls.First() + "/");
        await browser.WaitForAsync("window.nablaPage && nablaPage.model && nablaPage.samples > 0", Wait);
        return browser;
    }

    private static async Task<(double Left, double Top, double Width, double Height)> Rect(HeadlessChromium browser, string selector)
    {
        var r = await browser.EvaluateAsync($"(() => {{ const r = document.querySelector('{selector}').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }})()");
        return (r[0].GetDouble(), r[1].GetDouble(), r[2].GetDouble(), r[3].GetDouble());
    }

    /// <summary>A vertical stroke down the middle of the pad, from 20% to 80% of its height: a "1".</summary>
    private static async Task<(double X, double Y)[]> OneStroke(HeadlessChromium browser)
    {
        var (left, top, width, height) = await Rect(browser, "#pad");
        return [.. Enumerable.Range(0, 16).Select(i => (left + width * 0.5, top + height * (0.2 + 0.6 * i / 15)))];
    }

    /// <summary>Waits until the page has shown more than <paramref name="shownBefore"/> answers and none is in flight.</summary>
    private static Task Answered(HeadlessChromium browser, int shownBefore) =>
        browser.WaitForAsync($"nablaPage.shown > {shownBefore} && !nablaPage.busy && document.querySelectorAll('#bars .bar').length > 0", Wait);

    private static async Task<int> Shown(HeadlessChromium browser) => (await browser.EvaluateAsync("nablaPage.shown")).GetInt32();

    private sealed record Bar(string Name, double Value, bool Best);

    private static async Task<(string? Class, Bar[] Bars)> Displayed(HeadlessChromium browser)
    {
        var page = await browser.EvaluateAsync("""
            ({ answer: document.getElementById('answer').textContent,
               bars: [...document.querySelectorAll('#bars .bar')].map(b => ({
                 name: b.querySelector('.name').textContent, value: b.querySelector('.value').textContent, best: b.classList.contains('best') })) })
            """);
        var match = PredictedPattern().Match(page.GetProperty("answer").GetString()!);
        var bars = page.GetProperty("bars").EnumerateArray().Select(b => new Bar(
            b.GetProperty("name").GetString()!, double.Parse(b.GetProperty("value").GetString()!, CultureInfo.InvariantCulture), b.GetProperty("best").GetBoolean())).ToArray();
        return (match.Success ? match.Groups[1].Value : null, bars);
    }

    [GeneratedRegex(@"^Predicted: (\S+)")]
    private static partial Regex PredictedPattern();

    private void NoPageErrors(HeadlessChromium browser) => Assert.True(browser.Errors.Count == 0, "page errors:\n" + string.Join("\n", browser.Errors));

    [Fact]
    public async Task Drawing_a_one_shows_ten_probabilities_and_the_class_the_api_gives()
    {
        if (await Open() is not { } browser) return;
        var before = await Shown(browser);
        await browser.DragAsync(await OneStroke(browser));
        await Answered(browser, before);
        // The bars are drawn to scale: each fill is its probability of the track (waits out the width transition).
        await browser.WaitForAsync("""
            [...document.querySelectorAll('#bars .bar')].every(b => Math.abs(b.querySelector('.fill').getBoundingClientRect().width
              / b.querySelector('.track').getBoundingClientRect().width - parseFloat(b.querySelector('.value').textContent)) < 0.01)
            """, Wait);
        await browser.ScreenshotAsync(Screenshot("draw-one.png"));
        var (shownClass, bars) = await Displayed(browser);

        Assert.Equal(10, bars.Length);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)), bars.Select(b => b.Name));
        Assert.Equal(1, bars.Sum(b => b.Value), 0.01); // ten values rounded to 3 decimals
        Assert.Equal("1", shownClass);
        Assert.Equal([.. bars.Select(b => b.Best)], bars.Select(b => b.Name == shownClass).ToArray());

        // The same pixels through the API give the same class and probabilities (to the 3 decimals shown).
        var request = (await browser.EvaluateAsync("nablaPage.lastRequest")).GetString()!;
        using var content = new StringContent(request, Encoding.UTF8, "application/json");
        using var response = await server.Client.PostAsync("/v1/predict", content);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0];
        Assert.Equal(result.GetProperty("class").GetString(), shownClass);
        var probabilities = result.GetProperty("probabilities").EnumerateArray().Select(p => p.GetDouble()).ToArray();
        for (var c = 0; c < 10; c++) Assert.True(Math.Abs(probabilities[c] - bars[c].Value) <= 0.0005 + 1e-9, $"class {c}: page {bars[c].Value}, API {probabilities[c]}");

        CheckMnistLike(JsonDocument.Parse(request).RootElement);
        NoPageErrors(browser);
    }

    /// <summary>
    /// The page prepares strokes as MNIST was prepared: 28x28 values in [0, 1], the digit's box scaled to 20 pixels on its
    /// long side and its centre of mass at the middle (13.5, 13.5) to within a pixel.
    /// </summary>
    private static void CheckMnistLike(JsonElement request)
    {
        Assert.Equal([1, 28, 28], request.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        var v = request.GetProperty("inputs").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.Equal(784, v.Length);
        Assert.All(v, x => Assert.InRange(x, 0, 1));
        var inked = Enumerable.Range(0, 784).Where(i => v[i] > 0.1).ToArray();
        var rows = inked.Select(i => i / 28).ToArray();
        Assert.InRange(rows.Max() - rows.Min() + 1, 19, 21);
        var mass = v.Sum();
        Assert.InRange(Enumerable.Range(0, 784).Sum(i => v[i] * (i % 28)) / mass, 12.5, 14.5);
        Assert.InRange(Enumerable.Range(0, 784).Sum(i => v[i] * (i / 28)) / mass, 12.5, 14.5);
    }

    [Fact]
    public async Task Touch_strokes_predict_like_mouse_strokes()
    {
        if (await Open() is not { } browser) return;
        var before = await Shown(browser);
        await browser.TouchDragAsync(await OneStroke(browser));
        await Answered(browser, before);
        var (shownClass, bars) = await Displayed(browser);
        Assert.Equal(10, bars.Length);
        Assert.Equal("1", shownClass);
        NoPageErrors(browser);
    }

    [Fact]
    public async Task Clear_resets_the_pad_the_answer_and_the_bars()
    {
        if (await Open() is not { } browser) return;
        var before = await Shown(browser);
        await browser.DragAsync(await OneStroke(browser));
        await Answered(browser, before);
        var (left, top, width, height) = await Rect(browser, "#clear");
        await browser.ClickAsync(left + width / 2, top + height / 2);
        await browser.ScreenshotAsync(Screenshot("cleared.png"));

        var (shownClass, bars) = await Displayed(browser);
        Assert.Null(shownClass);
        Assert.Empty(bars);
        Assert.Equal("", (await browser.EvaluateAsync("document.getElementById('answer').textContent")).GetString());
        // Every pixel of the pad is black again (opaque, RGB 0).
        var inked = await browser.EvaluateAsync("""
            (() => { const p = document.getElementById('pad'), d = p.getContext('2d').getImageData(0, 0, p.width, p.height).data;
                     let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] || d[i + 1] || d[i + 2] || d[i + 3] !== 255) n++; return n; })()
            """);
        Assert.Equal(0, inked.GetInt32());
        NoPageErrors(browser);
    }

    /// <summary>JavaScript that makes the page's fetches of URLs containing <paramref name="part"/> wait <paramref name="ms"/> ms first.</summary>
    private static string SlowFetch(string part, int ms) =>
        $"(() => {{ const f = window.fetch; window.fetch = (u, o) => String(u).includes('{part}') ? new Promise(r => setTimeout(r, {ms})).then(() => f(u, o)) : f(u, o); }})()";

    [Fact]
    public async Task An_answer_still_on_its_way_when_Clear_is_pressed_is_not_shown()
    {
        if (await Open() is not { } browser) return;
        await browser.EvaluateAsync(SlowFetch("/v1/predict", 500));
        var before = await Shown(browser);
        await browser.DragAsync(await OneStroke(browser));
        var (left, top, width, height) = await Rect(browser, "#clear");
        await browser.ClickAsync(left + width / 2, top + height / 2);
        Assert.True((await browser.EvaluateAsync("nablaPage.busy")).GetBoolean(), "the answer should still be on its way when Clear is pressed");
        await browser.WaitForAsync("!nablaPage.busy", Wait);
        await Task.Delay(100); // the answer has been handled; nothing may appear now
        var (shownClass, bars) = await Displayed(browser);
        Assert.Null(shownClass);
        Assert.Empty(bars);
        Assert.Equal(before, await Shown(browser));
        NoPageErrors(browser);
    }

    [Fact]
    public async Task A_stroke_drawn_before_the_model_description_arrives_is_predicted_when_it_does()
    {
        var browser = browsers.Require(log);
        if (browser is null) return;
        var script = await browser.AddInitScriptAsync(SlowFetch("/v1/model", 1500));
        try
        {
            await browser.NavigateAsync(server.App.Urls.First() + "/");
        }
        finally
        {
            await browser.RemoveInitScriptAsync(script);
        }
        await browser.WaitForAsync("window.nablaPage && nablaPage.samples > 0", Wait);
        Assert.Equal(JsonValueKind.Null, (await browser.EvaluateAsync("nablaPage.model")).ValueKind);
        await browser.DragAsync(await OneStroke(browser));
        Assert.Equal(0, await Shown(browser));
        await Answered(browser, 0);
        Assert.Equal("1", (await Displayed(browser)).Class);
        NoPageErrors(browser);
    }

    [Fact]
    public async Task Gallery_digits_predict_their_labels()
    {
        if (await Open() is not { } browser) return;
        var labels = (await browser.EvaluateAsync("[...document.querySelectorAll('#gallery img')].map(i => i.alt)")).EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(12, labels.Length); // ServerOptions.SampleCount
        var correct = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var before = await Shown(browser);
            var (left, top, width, height) = await Rect(browser, $"#gallery img:nth-child({i + 1})");
            await browser.ClickAsync(left + width / 2, top + height / 2);
            await Answered(browser, before);
            var (shownClass, bars) = await Displayed(browser);
            Assert.Equal(10, bars.Length);
            log.WriteLine($"sample {i}: label {labels[i]}, page says {shownClass}");
            if (shownClass == labels[i]) correct++;
        }
        await browser.ScreenshotAsync(Screenshot("gallery.png"));
        // The fixture's small model scores about 90% on test digits: most of twelve must come out right.
        Assert.True(correct >= 9, $"{correct} of {labels.Length} gallery digits predicted as labelled");
        NoPageErrors(browser);
    }
}
