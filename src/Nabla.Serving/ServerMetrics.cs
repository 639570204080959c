using System.Globalization;
using System.Text;

namespace Nabla.Serving;

/// <summary>Request and error counts and latency percentiles over the most recent requests, in the Prometheus text format.</summary>
public sealed class ServerMetrics
{
    // A ring of recent latencies: percentiles describe current behaviour and memory stays bounded.
    private readonly double[] _recent = new double[1024];
    private readonly Lock _gate = new();
    private long _requests, _errors, _stored;
    private double _latencySum;

    public long Requests { get { lock (_gate) return _requests; } }
    public long Errors { get { lock (_gate) return _errors; } }

    /// <summary>Records one finished request; status codes of 400 and above count as errors.</summary>
    public void Record(int statusCode, double milliseconds)
    {
        lock (_gate)
        {
            _requests++;
            if (statusCode >= 400) _errors++;
            _latencySum += milliseconds;
            _recent[_stored++ % _recent.Length] = milliseconds;
        }
    }

    /// <summary>The q-quantile (0..1) of recent latencies by the nearest-rank rule, or 0 with no requests yet.</summary>
    public double Percentile(double q)
    {
        double[] sorted;
        lock (_gate) sorted = _recent[..(int)Math.Min(_stored, _recent.Length)];
        if (sorted.Length == 0) return 0;
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    /// <summary>The metrics as Prometheus text exposition (version 0.0.4).</summary>
    public string ToPrometheus()
    {
        long requests, errors;
        double sum;
        lock (_gate) (requests, errors, sum) = (_requests, _errors, _latencySum);
        var text = new StringBuilder();
        void Line(string s) => text.Append(s).Append('\n');
        Line("# HELP nabla_requests_total HTTP requests served.");
        Line("# TYPE nabla_requests_total counter");
        Line(string.Create(CultureInfo.InvariantCulture, $"nabla_requests_total {requests}"));
        Line("# HELP nabla_request_errors_total HTTP requests answered with status 400 or above.");
        Line("# TYPE nabla_request_errors_total counter");
        Line(string.Create(CultureInfo.InvariantCulture, $"nabla_request_errors_total {errors}"));
        Line("# HELP nabla_request_latency_ms Request latency in milliseconds (quantiles over the last 1024 requests).");
        Line("# TYPE nabla_request_latency_ms summary");
        foreach (var q in new[] { 0.5, 0.9, 0.99 })
        {
            Line(string.Create(CultureInfo.InvariantCulture, $"nabla_request_latency_ms{{quantile=\"{q}\"}} {Percentile(q):0.###}"));
        }
        Line(string.Create(CultureInfo.InvariantCulture, $"nabla_request_latency_ms_sum {sum:0.###}"));
        Line(string.Create(CultureInfo.InvariantCulture, $"nabla_request_latency_ms_count {requests}"));
        return text.ToString();
    }
}
