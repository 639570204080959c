namespace Nabla.Serving;

/// <summary>Settings of <see cref="NablaServer"/>: where it listens and how much it accepts per request.</summary>
public sealed class ServerOptions
{
    /// <summary>The address to listen on; loopback by default. Port 0 picks a free port (read it from the app's Urls after start).</summary>
    public string Url { get; init; } = "http://127.0.0.1:8080";

    /// <summary>The largest number of examples one JSON request may carry along a leading batch axis.</summary>
    public int MaxBatch { get; init; } = 256;

    /// <summary>The largest request body in bytes (JSON or PNG); bigger bodies get 413.</summary>
    public long MaxBodyBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>The run folder the model came from (for summary.json in <c>GET /v1/model</c>), or null.</summary>
    public string? RunDirectory { get; init; }

    /// <summary>An MNIST folder (IDX files) whose first test digits the page offers as samples, or null for none.</summary>
    public string? SamplesDirectory { get; init; }

    /// <summary>How many sample digits <c>GET /v1/samples</c> serves.</summary>
    public int SampleCount { get; init; } = 12;
}
