using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Serialization;
using Nabla.Training;

namespace Nabla.Tests.Training;

public class ModelCheckpointTests
{
    [Fact]
    public void Best_and_last_weights_are_saved_by_the_monitored_value()
    {
        var folder = Directory.CreateTempSubdirectory("nabla-mc").FullName;
        var model = new Linear(2, 1, generator: new Generator(1));
        var x = Tensor.Randn([32, 2], new Generator(2));
        var data = new TensorDataset(x, x.Sum(1, keepDims: true));
        var trainer = new Trainer(model, new Sgd(model.Parameters(), 0.05f), new MseLoss());
        // A scripted monitor: best at epoch 2 (index 1), worse afterwards.
        double[] script = [0.5, 0.2, 0.4, 0.3];
        var snapshots = new List<float[]>();
        var scripted = new LambdaCallback(onEpochEnd: (e, logs) => { logs["score"] = script[e]; snapshots.Add(model.Weight.ToArray()); });
        var checkpoint = new ModelCheckpoint(folder, monitor: "score", mode: MonitorMode.Min);
        trainer.Fit(new DataLoader(data, 8), 4, callbacks: [scripted, checkpoint]);

        Assert.Equal(1, checkpoint.BestEpoch);
        var best = SafeTensors.Read(checkpoint.BestPath);
        Assert.Equal(snapshots[1], best.Tensors["weight"].ToArray());
        Assert.Equal("2", best.Metadata["epoch"]);
        Assert.Equal(snapshots[3], SafeTensors.Read(checkpoint.LastPath).Tensors["weight"].ToArray());
        var restored = new Linear(2, 1);
        restored.Load(checkpoint.BestPath);
        Assert.Equal(snapshots[1], restored.Weight.ToArray());
    }
}
