using Microsoft.AspNetCore.Builder;
using Nabla.Serving.Dashboard;

namespace Nabla.Tests.Serving;

/// <summary>
/// A training dashboard served on a free loopback port, with a scratch folder for run folders: started and
/// torn down by a test class's <see cref="IAsyncLifetime"/>.
/// </summary>
internal sealed class DashboardHost(TrainingDashboard dashboard, string folderPrefix)
{
    public TrainingDashboard Dashboard { get; } = dashboard;
    public string Folder { get; } = Directory.CreateTempSubdirectory(folderPrefix).FullName;
    public WebApplication App { get; private set; } = null!;
    public Uri Url { get; private set; } = null!;

    public async Task StartAsync()
    {
        App = Dashboard.Build("http://127.0.0.1:0");
        await App.StartAsync();
        Url = new Uri(App.Urls.First());
    }

    public async Task StopAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
