using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Nabla.Data;
using Nabla.Serving;
using Nabla.Specs;
using Nabla.Tests.Support;

namespace Nabla.Tests.Serving;

/// <summary>A tiny MNIST model trained for two epochs on 3000 digits, saved to a run folder and served in-process on a free port.</summary>
public sealed class ServingFixture : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nabla-serving").FullName;

    public SavedModel Model { get; private set; } = null!;
    public WebApplication App { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public TensorDataset Test { get; private set; } = null!;
    public string Run => _folder;

    public async Task InitializeAsync()
    {
        var spec = TrainingSpec.Parse(JsonSerializer.Serialize(new
        {
            name = "tiny-serve",
            seed = 5,
            data = new { format = "mnist", path = Repo.Path("data", "mnist"), limit = 3000 },
            model = new object[]
            {
                new { type = "Flatten" }, new { type = "Linear", inFeatures = 784, outFeatures = 32 }, new { type = "Relu" },
                new { type = "Linear", inFeatures = 32, outFeatures = 10 },
            },
            loss = "cross_entropy",
            optimizer = new { type = "adam", lr = 0.003 },
            training = new { epochs = 2, batchSize = 64 },
        }));
        var experiment = Experiment.Create(spec, Repo.Root);
        experiment.Run();
        SavedModel.Save(Path.Combine(_folder, "model"), spec, experiment.Model, experiment.Data.ExampleShape, experiment.Data.Classes);
        File.WriteAllText(Path.Combine(_folder, "summary.json"), """{"name": "tiny-serve", "epochs": 2, "test": {"accuracy": 0.9}}""");
        Model = SavedModel.Load(_folder);
        Test = Mnist.Load(Repo.Path("data", "mnist"), train: false);
        App = NablaServer.Build(Model, new ServerOptions
        {
            Url = "http://127.0.0.1:0",
            MaxBatch = 64,
            MaxBodyBytes = 200_000,
            RunDirectory = _folder,
            SamplesDirectory = Repo.Path("data", "mnist"),
        });
        await App.StartAsync();
        Client = new HttpClient { BaseAddress = new Uri(App.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
