using System.Text.Json.Nodes;
using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Serialization;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>The trainer's hooks for data-parallel ranks: a rank that only reads the checkpoint, and the mid-epoch figures hook.</summary>
public class SharedCheckpointTests
{
    /// <summary>A callback with state that counts how often the trainer asked for it.</summary>
    private sealed class Counter : Callback
    {
        public int Saves { get; private set; }
        public override void SaveState(CallbackState state)
        {
            Saves++;
            state.Values["saves"] = $"{Saves}";
        }
        public override void LoadState(CallbackState state) => Saves = int.Parse(state.Values["saves"], System.Globalization.CultureInfo.InvariantCulture);
    }

    // 16 examples, batch 4: 4 steps an epoch, a checkpoint every 2 (so one mid-epoch and one at the end of each epoch).
    private static (Trainer Trainer, DataLoader Loader) Create(string checkpoint)
    {
        var g = new Generator(7);
        var data = new TensorDataset(Tensor.Randn([16, 3], g), Tensor.RandInt(0, 2, [16], g));
        Generator.ManualSeed(1);
        var model = new Linear(3, 2);
        var trainer = new Trainer(model, new Sgd(model.Parameters(), 0.1f, momentum: 0.9f), new CrossEntropyLoss(), [new Accuracy()])
        {
            CheckpointPath = checkpoint,
            CheckpointEveryBatches = 2,
        };
        return (trainer, new DataLoader(data, 4, shuffle: true, seed: 3));
    }

    [Fact]
    public void ARankThatOnlyReadsResumesLikeTheWriterWritesNothingAndStillGathersCallbackState()
    {
        var dir = Directory.CreateTempSubdirectory("nabla-shared-").FullName;
        try
        {
            var checkpoint = Path.Combine(dir, "last.ckpt");
            var (first, loader) = Create(checkpoint);
            first.Fit(loader, 1, callbacks: [new Counter(), new CsvLogger(Path.Combine(dir, "metrics.csv"))]);
            var written = File.ReadAllBytes(checkpoint);

            // The reader lacks the writer's CSV logger: it restores the callbacks it has and skips the others.
            var (reader, readerLoader) = Create(checkpoint);
            reader.WritesCheckpoints = false;
            var counter = new Counter();
            reader.Fit(readerLoader, 2, callbacks: [counter], resume: true);
            Assert.Equal(written, File.ReadAllBytes(checkpoint));
            Assert.Equal(2 + 2, counter.Saves); // 2 restored from epoch 1, then the 2 checkpoints of epoch 2

            var (writer, writerLoader) = Create(checkpoint);
            writer.Fit(writerLoader, 2, callbacks: [new Counter(), new CsvLogger(Path.Combine(dir, "metrics.csv"))], resume: true);
            foreach (var (name, tensor) in writer.Model.StateDict()) Assert.Equal(tensor.ToArray(), reader.Model.StateDict()[name].ToArray());

            // A writer still refuses a checkpoint holding state of a callback it does not have.
            var (strict, strictLoader) = Create(checkpoint);
            Assert.Throws<InvalidDataException>(() => strict.Fit(strictLoader, 2, callbacks: [new Counter()], resume: true));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TheMidEpochHookSeesTheRunningFiguresAndWhatItReturnsIsStored()
    {
        var dir = Directory.CreateTempSubdirectory("nabla-shared-").FullName;
        try
        {
            var checkpoint = Path.Combine(dir, "last.ckpt");
            var (trainer, loader) = Create(checkpoint);
            var losses = new List<double>();
            double[]? seen = null;
            trainer.ReduceEpochProgress = figures =>
            {
                seen = figures.ToArray();
                figures[0] = 12.5; // what a rank would store instead of its own loss sum
            };
            var stop = new LambdaCallback(onBatchEnd: (_, batch, logs) =>
            {
                losses.Add(logs["loss"]);
                if (batch == 2) trainer.StopTraining = true; // after the mid-epoch checkpoint (batch 2), before the epoch's end
            });
            trainer.Fit(loader, 1, callbacks: [stop]);

            // Layout: the loss sum (Σ batch loss · batch size), the example count, then the accuracy state (correct, total).
            Assert.NotNull(seen);
            Assert.Equal(4, seen.Length);
            Assert.Equal((losses[0] + losses[1]) * 4, seen[0], 9);
            Assert.Equal(8, seen[1]);
            Assert.Equal(8, seen[3]);
            Assert.InRange(seen[2], 0, 8);
            var state = JsonNode.Parse(Checkpoint.Load(checkpoint).Metadata["nabla.trainer"])!;
            Assert.Equal("12.5", state["sums"]!["loss"]!.GetValue<string>());
            Assert.Equal(2, state["batch"]!.GetValue<int>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
