namespace Nabla.Serving;

/// <summary>A request the server rejects: the HTTP status (4xx) and a message saying what was wrong.</summary>
public sealed class RequestError(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
