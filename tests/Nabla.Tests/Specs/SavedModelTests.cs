using Nabla.Specs;
using Nabla.Tests.Support;

namespace Nabla.Tests.Specs;

public class SavedModelTests
{
    [Fact]
    public void A_saved_model_folder_reloads_without_the_spec_and_predicts_the_same()
    {
        const string json = """
            {
              "name": "saved-iris", "seed": 2,
              "data": { "format": "csv", "path": "data/iris/iris.csv", "target": "species" },
              "model": [ { "type": "Linear", "inFeatures": 4, "outFeatures": 8 }, { "type": "BatchNorm1d", "numFeatures": 8 }, { "type": "Relu" },
                         { "type": "Linear", "inFeatures": 8, "outFeatures": 3 } ],
              "loss": "cross_entropy", "optimizer": { "type": "adam", "lr": 0.05 }, "training": { "epochs": 5, "batchSize": 16 }
            }
            """;
        var experiment = Experiment.Create(TrainingSpec.Parse(json), Repo.Root);
        experiment.Run();
        var folder = Path.Combine(Directory.CreateTempSubdirectory("nabla-model").FullName, "model");
        SavedModel.Save(folder, experiment.Spec, experiment.Model, experiment.Data.ExampleShape, experiment.Data.Classes, experiment.Data.Standardizer);

        var loaded = SavedModel.Load(Path.GetDirectoryName(folder)!); // a run folder holding model/ works too
        Assert.Equal("saved-iris", loaded.Name);
        Assert.Equal([4], loaded.InputShape);
        Assert.Equal(["setosa", "versicolor", "virginica"], loaded.Classes!);
        var x = experiment.Data.Test.Inputs; // standardised with the training split's statistics
        var raw = x * experiment.Data.Standardizer!.Std + experiment.Data.Standardizer.Mean; // as the CSV file holds them
        experiment.Model.Eval();
        using (Autograd.NoGrad()) Assert.True(experiment.Model.Forward(x).AllClose(loaded.Predict(raw), atol: 1e-5f));
        Assert.Contains("inputs must be [N, 4]", Assert.Throws<ArgumentException>(() => loaded.Predict(Tensor.Zeros(2, 5))).Message);
        Assert.Throws<FileNotFoundException>(() => SavedModel.Load(Path.GetTempPath()));
    }
}
