using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nabla.Tests.Browser;

/// <summary>
/// One headless Chromium page driven over the DevTools protocol (JSON messages on a WebSocket; no npm, no driver):
/// launch with <c>--remote-debugging-port=0</c>, read the port Chromium picked from <c>DevToolsActivePort</c> in its
/// temporary profile, attach to the page target from <c>GET /json/list</c>, then send commands
/// <c>{"id", "method", "params"}</c> and match replies by id. Every wait has a timeout; <see cref="DisposeAsync"/>
/// kills the process tree and deletes the profile.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _replies = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly StringBuilder _stderr = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private Task _receiver = Task.CompletedTask;
    private TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextId;

    private HeadlessChromium(Process process, string profile) => (_process, _profile) = (process, profile);

    /// <summary>The Chromium binary: <c>NABLA_CHROMIUM</c> if set, else /usr/bin/chromium or chromium/chromium-browser on PATH; null when none exists.</summary>
    public static string? FindExecutable()
    {
        if (Environment.GetEnvironmentVariable("NABLA_CHROMIUM") is { Length: > 0 } given) return File.Exists(given) ? given : null;
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return new[] { "/usr/bin/chromium" }
            .Concat(dirs.SelectMany(d => new[] { Path.Combine(d, "chromium"), Path.Combine(d, "chromium-browser") }))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Page JavaScript errors seen since the last <see cref="NavigateAsync"/>: console.error calls, uncaught exceptions, failed loads.</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    /// <summary>Starts Chromium headless with a fresh profile and a <paramref name="width"/> x <paramref name="height"/> window, attached to its first page.</summary>
    public static async Task<HeadlessChromium> LaunchAsync(string executable, int width = 1000, int height = 760)
    {
        var profile = Directory.CreateTempSubdirectory("nabla-chromium").FullName;
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--no-default-browser-check", "--disable-extensions", "--disable-background-networking", "--disable-sync", "--mute-audio",
                     "--hide-scrollbars", $"--window-size={width},{height}", "--remote-debugging-port=0", $"--user-data-dir={profile}", "about:blank"])
        {
            start.ArgumentList.Add(arg);
        }
        var browser = new HeadlessChromium(Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}"), profile);
        try
        {
            // Chromium is chatty on stderr (D-Bus, GPU notes); drain both pipes so it never blocks, keep stderr for messages.
            browser._process.OutputDataReceived += (_, _) => { };
            browser._process.ErrorDataReceived += (_, e) => { lock (browser._stderr) if (e.Data is not null && browser._stderr.Length < 20_000) browser._stderr.AppendLine(e.Data); };
            browser._process.BeginOutputReadLine();
            browser._process.BeginErrorReadLine();
            await browser.AttachAsync();
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    private async Task AttachAsync()
    {
        var portFile = Path.Combine(_profile, "DevToolsActivePort");
        var deadline = Stopwatch.StartNew();
        int port = 0;
        while (port == 0)
        {
            if (_process.HasExited) throw Failure($"Chromium exited with code {_process.ExitCode} before it opened the DevTools port");
            if (deadline.Elapsed > TimeSpan.FromSeconds(30)) throw Failure("Chromium did not write DevToolsActivePort within 30 s");
            if (File.Exists(portFile) && File.ReadAllLines(portFile) is [var first, ..] && int.TryParse(first, out var p)) port = p;
            else await Task.Delay(50);
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string? url = null;
        while (url is null)
        {
            var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
            url = targets.FirstOrDefault(t => (string?)t?["type"] == "page")?["webSocketDebuggerUrl"]?.GetValue<string>();
            if (url is not null) break;
            if (deadline.Elapsed > TimeSpan.FromSeconds(30)) throw Failure("Chromium listed no page target within 30 s");
            await Task.Delay(100);
        }
        using (var connect = new CancellationTokenSource(TimeSpan.FromSeconds(10))) await _socket.ConnectAsync(new Uri(url), connect.Token);
        _receiver = Task.Run(ReceiveLoop);
        await SendAsync("Page.enable");
        await SendAsync("Runtime.enable");
        await SendAsync("Log.enable");
    }

    private InvalidOperationException Failure(string what)
    {
        lock (_stderr) return new InvalidOperationException($"HeadlessChromium: {what}. Chromium's stderr:\n{_stderr}");
    }

    /// <summary>Sends one DevTools command and returns its <c>result</c>; a protocol error or no reply within 20 s throws.</summary>
    public async Task<JsonElement> SendAsync(string method, JsonObject? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _replies[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        await _sendLock.WaitAsync();
        try
        {
            using var timeout = new CancellationTokenSource(CommandTimeout);
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, timeout.Token);
        }
        finally
        {
            _sendLock.Release();
        }
        try
        {
            return await reply.Task.WaitAsync(CommandTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"HeadlessChromium: {method} got no reply within {CommandTimeout.TotalSeconds} s.");
        }
        finally
        {
            _replies.TryRemove(id, out _);
        }
    }

    // Replies complete their command's task; events record page errors and page loads.
    private async Task ReceiveLoop()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var part = await _socket.ReceiveAsync(buffer, _closing.Token);
                if (part.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, part.Count);
                if (!part.EndOfMessage) continue;
                var root = JsonDocument.Parse(message.ToArray()).RootElement.Clone();
                message.SetLength(0);
                if (root.TryGetProperty("id", out var idElement)) Reply(idElement.GetInt32(), root);
                else OnEvent(root.GetProperty("method").GetString()!, root.TryGetProperty("params", out var p) ? p : default);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or JsonException)
        {
            // closing, or Chromium went away: pending commands fail below instead of waiting for their timeout
        }
        foreach (var pending in _replies.Values) pending.TrySetException(new InvalidOperationException("HeadlessChromium: the DevTools connection closed."));
    }

    private void Reply(int id, JsonElement root)
    {
        if (!_replies.TryGetValue(id, out var reply)) return;
        if (root.TryGetProperty("error", out var error)) reply.TrySetException(new InvalidOperationException($"HeadlessChromium: DevTools error {error}"));
        else reply.TrySetResult(root.GetProperty("result"));
    }

    private void OnEvent(string method, JsonElement p)
    {
        switch (method)
        {
            case "Page.loadEventFired":
                _loaded.TrySetResult();
                break;
            case "Runtime.exceptionThrown":
                var details = p.GetProperty("exceptionDetails");
                var description = details.TryGetProperty("exception", out var ex) && ex.TryGetProperty("description", out var d) ? d.GetString() : details.GetProperty("text").GetString();
                _errors.Enqueue($"uncaught: {description}");
                break;
            case "Runtime.consoleAPICalled" when p.GetProperty("type").GetString() is "error" or "assert":
                _errors.Enqueue("console.error: " + string.Join(' ', p.GetProperty("args").EnumerateArray().Select(a =>
                    a.TryGetProperty("value", out var v) ? v.ToString() : a.TryGetProperty("description", out var ds) ? ds.GetString() : a.ToString())));
                break;
            case "Log.entryAdded" when p.GetProperty("entry").GetProperty("level").GetString() == "error":
                var entry = p.GetProperty("entry");
                _errors.Enqueue($"log ({entry.GetProperty("source").GetString()}): {entry.GetProperty("text").GetString()}");
                break;
        }
    }

    /// <summary>Opens <paramref name="url"/> and waits (at most 20 s) for its load event; clears <see cref="Errors"/>.</summary>
    public async Task NavigateAsync(string url)
    {
        _errors.Clear();
        _loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var result = await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        if (result.TryGetProperty("errorText", out var error)) throw new InvalidOperationException($"HeadlessChromium: navigating to {url} failed: {error.GetString()}");
        try
        {
            await _loaded.Task.WaitAsync(CommandTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"HeadlessChromium: {url} did not finish loading within {CommandTimeout.TotalSeconds} s.");
        }
    }

    /// <summary>Runs <paramref name="source"/> in every page loaded from now on, before the page's own scripts; returns an id for <see cref="RemoveInitScriptAsync"/>.</summary>
    public async Task<string> AddInitScriptAsync(string source) =>
        (await SendAsync("Page.addScriptToEvaluateOnNewDocument", new JsonObject { ["source"] = source })).GetProperty("identifier").GetString()!;

    /// <summary>Stops running a script added by <see cref="AddInitScriptAsync"/> in pages loaded later.</summary>
    public Task RemoveInitScriptAsync(string id) => SendAsync("Page.removeScriptToEvaluateOnNewDocument", new JsonObject { ["identifier"] = id });

    /// <summary>
    /// The value of a JavaScript expression (promises awaited) as JSON; a thrown exception becomes an
    /// <see cref="InvalidOperationException"/> with the page's message. Undefined comes back as JSON null.
    /// </summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression, ["awaitPromise"] = true, ["returnByValue"] = true,
        });
        if (result.TryGetProperty("exceptionDetails", out var details))
        {
            var text = details.TryGetProperty("exception", out var ex) && ex.TryGetProperty("description", out var d) ? d.GetString() : details.GetProperty("text").GetString();
            throw new InvalidOperationException($"HeadlessChromium: `{expression}` threw: {text}");
        }
        var value = result.GetProperty("result");
        return value.TryGetProperty("value", out var v) ? v : JsonDocument.Parse("null").RootElement;
    }

    /// <summary>Polls <paramref name="condition"/> (a JavaScript expression) every 50 ms until it is truthy; throws after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(string condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await EvaluateAsync($"!!({condition})");
            if (value.ValueKind == JsonValueKind.True) return;
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"HeadlessChromium: `{condition}` was still false after {timeout.TotalSeconds} s. Page errors: {string.Join("; ", Errors)}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>A left-button drag through <paramref name="points"/> (CSS pixels in the viewport): press at the first, move through the rest, release at the last.</summary>
    public async Task DragAsync(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count == 0) throw new ArgumentException("HeadlessChromium.DragAsync: expected at least one point.", nameof(points));
        await MouseAsync("mousePressed", points[0], buttons: 1);
        foreach (var p in points.Skip(1)) await MouseAsync("mouseMoved", p, buttons: 1);
        await MouseAsync("mouseReleased", points[^1], buttons: 0);
    }

    /// <summary>A left click at (x, y).</summary>
    public async Task ClickAsync(double x, double y)
    {
        await MouseAsync("mouseMoved", (x, y), buttons: 0);
        await MouseAsync("mousePressed", (x, y), buttons: 1);
        await MouseAsync("mouseReleased", (x, y), buttons: 0);
    }

    private Task MouseAsync(string type, (double X, double Y) p, int buttons) => SendAsync("Input.dispatchMouseEvent", new JsonObject
    {
        ["type"] = type, ["x"] = p.X, ["y"] = p.Y, ["button"] = type == "mouseMoved" && buttons == 0 ? "none" : "left", ["buttons"] = buttons, ["clickCount"] = 1,
    });

    /// <summary>A one-finger touch drag through <paramref name="points"/>: touchStart, touchMove for each further point, touchEnd.</summary>
    public async Task TouchDragAsync(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count == 0) throw new ArgumentException("HeadlessChromium.TouchDragAsync: expected at least one point.", nameof(points));
        await TouchAsync("touchStart", points[0]);
        foreach (var p in points.Skip(1)) await TouchAsync("touchMove", p);
        await SendAsync("Input.dispatchTouchEvent", new JsonObject { ["type"] = "touchEnd", ["touchPoints"] = new JsonArray() });
    }

    private Task TouchAsync(string type, (double X, double Y) p) => SendAsync("Input.dispatchTouchEvent", new JsonObject
    {
        ["type"] = type, ["touchPoints"] = new JsonArray(new JsonObject { ["x"] = p.X, ["y"] = p.Y }),
    });

    /// <summary>Writes a PNG of the viewport to <paramref name="path"/> (folders created).</summary>
    public async Task ScreenshotAsync(string path)
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(result.GetProperty("data").GetString()!));
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        try
        {
            await _receiver.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // the process is killed next anyway
        }
        _socket.Dispose();
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
        _closing.Dispose();
        _sendLock.Dispose();
        // Chromium's helpers may hold files a moment longer after the kill.
        for (var attempt = 0; attempt < 10 && Directory.Exists(_profile); attempt++)
        {
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException)
            {
                await Task.Delay(100);
            }
        }
    }
}
