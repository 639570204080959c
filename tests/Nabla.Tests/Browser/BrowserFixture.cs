namespace Nabla.Tests.Browser;

/// <summary>
/// One headless Chromium for a test class, or the reason there is none. Outside CI a missing Chromium makes the
/// tests print why and return (xunit 2 has no runtime skip); with <c>CI=true</c> it fails them, because .ci/run installs it.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public HeadlessChromium? Browser { get; private set; }

    /// <summary>Why <see cref="Browser"/> is null when Chromium is not installed.</summary>
    public string? Missing { get; private set; }

    /// <summary>True when a missing prerequisite must fail the test rather than skip it.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public async Task InitializeAsync()
    {
        var executable = HeadlessChromium.FindExecutable();
        if (executable is null)
        {
            Missing = "Chromium is not installed (apt-get install chromium, or set NABLA_CHROMIUM to the binary)";
            return;
        }
        try
        {
            Browser = await HeadlessChromium.LaunchAsync(executable);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or HttpRequestException or System.Net.WebSockets.WebSocketException)
        {
            _startFailure = e; // an installed Chromium that does not start is a failure everywhere, not a skip
        }
    }

    private Exception? _startFailure;

    /// <summary>
    /// The browser, or null after logging why the test is skipped; throws when Chromium is missing in CI or failed to start.
    /// </summary>
    public HeadlessChromium? Require(Xunit.Abstractions.ITestOutputHelper log)
    {
        if (_startFailure is not null) throw new InvalidOperationException("Chromium is installed but did not start: " + _startFailure.Message, _startFailure);
        if (Browser is not null) return Browser;
        if (InCi) Assert.Fail($"CI=true and a browser-test prerequisite is missing: {Missing}. .ci/run should have installed it.");
        log.WriteLine($"skipped: {Missing}");
        return null;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
    }
}
