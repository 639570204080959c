using System.Text.Json;

namespace Nabla.Tests.Serving;

/// <summary>One parsed server-sent event.</summary>
public sealed record SseEvent(long Id, string Type, string Data)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement.Clone();
}

/// <summary>
/// A minimal <c>text/event-stream</c> reader for tests, written from the format's rules: <c>field: value</c> lines,
/// a blank line ends an event, lines starting with ':' are comments.
/// </summary>
public sealed class SseClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseClient(HttpClient http, HttpResponseMessage response, StreamReader reader) => (_http, _response, _reader) = (http, response, reader);

    public string ContentType => _response.Content.Headers.ContentType?.MediaType ?? "";

    /// <summary>Connects and waits for the response headers (the server subscribes before sending them).</summary>
    public static async Task<SseClient> Connect(Uri baseAddress)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var response = await http.GetAsync("/v1/events", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        return new SseClient(http, response, reader);
    }

    /// <summary>The next event, or null when the stream ends.</summary>
    public async Task<SseEvent?> Next(CancellationToken ct)
    {
        long id = -1;
        string? type = null;
        var data = new List<string>();
        while (await _reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count == 0 && type is null) continue; // a comment-only block
                return new SseEvent(id, type ?? "message", string.Join("\n", data));
            }
            if (line.StartsWith(':')) continue;
            var colon = line.IndexOf(':');
            var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
            switch (field)
            {
                case "id": id = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "event": type = value; break;
                case "data": data.Add(value); break;
            }
        }
        return null;
    }

    /// <summary>Events up to and including the first <paramref name="type"/> event (or the end of the stream), within 20 s.</summary>
    public async Task<List<SseEvent>> ReadUntil(string type)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<SseEvent>();
        while (await Next(timeout.Token) is { } e)
        {
            events.Add(e);
            if (e.Type == type) break;
        }
        return events;
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
        _http.Dispose();
    }
}
