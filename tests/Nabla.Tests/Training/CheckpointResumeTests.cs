using System.Diagnostics;
using Nabla.Serialization;
using Nabla.Specs;
using Nabla.Tests.Support;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>Training stopped at any point and resumed from its last checkpoint ends bitwise where an uninterrupted run ends.</summary>
public class CheckpointResumeTests
{
    // Everything that carries state across steps: Adam moments, batch-norm statistics, dropout masks, augmentation,
    // a per-batch one-cycle schedule, early stopping and a CSV log.
    private const string Spec = """
        {
          "name": "resume-cnn",
          "seed": 5,
          "data": { "format": "mnist", "path": "data/mnist", "limit": 160, "validation": "test",
                    "augment": [ { "type": "RandomAffine", "degrees": 10, "translate": 0.05 } ] },
          "model": [
            { "type": "Conv2d", "inChannels": 1, "outChannels": 3, "kernelSize": 3, "padding": 1 },
            { "type": "BatchNorm2d", "numFeatures": 3 },
            { "type": "Relu" },
            { "type": "MaxPool2d", "kernelSize": 4 },
            { "type": "Flatten" },
            { "type": "Dropout", "p": 0.2 },
            { "type": "Linear", "inFeatures": 147, "outFeatures": 10 }
          ],
          "loss": "cross_entropy",
          "optimizer": { "type": "adam", "lr": 0.003 },
          "schedule": { "type": "onecycle", "maxLr": 0.01 },
          "training": { "epochs": 3, "batchSize": 32, "metrics": ["accuracy"], "earlyStopping": { "monitor": "val_loss", "patience": 5 } }
        }
        """;

    private static Experiment Create(string folder)
    {
        var experiment = Experiment.Create(TrainingSpec.Parse(Spec), Repo.Root);
        experiment.Trainer.CheckpointPath = Path.Combine(folder, "last.ckpt");
        experiment.Trainer.CheckpointEveryBatches = 2;
        return experiment;
    }

    private static float[][] Weights(Experiment e) => [.. e.Model.StateDict().Values.Select(t => t.ToArray())];

    [Theory]
    [InlineData(0, 3)]  // mid-epoch, between checkpoints
    [InlineData(1, 4)]  // mid-epoch, right after a checkpoint
    [InlineData(2, 0)]  // at the start of the last epoch
    public void Stopping_and_resuming_in_process_gives_the_uninterrupted_weights_and_logs(int stopEpoch, int stopBatch)
    {
        var reference = Create(Directory.CreateTempSubdirectory("nabla-ref").FullName);
        var csvRef = Path.Combine(Path.GetDirectoryName(reference.Trainer.CheckpointPath)!, "metrics.csv");
        var expected = reference.Run([new CsvLogger(csvRef)]);

        var folder = Directory.CreateTempSubdirectory("nabla-resume").FullName;
        var csv = Path.Combine(folder, "metrics.csv");
        using var cancel = new CancellationTokenSource();
        var stopper = new LambdaCallback(
            onEpochBegin: e => { if (e == stopEpoch && stopBatch == 0) cancel.Cancel(); },
            onBatchEnd: (e, b, _) => { if (e == stopEpoch && b + 1 == stopBatch) cancel.Cancel(); });
        var interrupted = Create(folder).Run([new CsvLogger(csv), stopper], cancel.Token);
        Assert.NotNull(interrupted.History.StopReason);

        var resumed = Create(folder);
        var result = resumed.Run([new CsvLogger(csv)], resume: true);
        Assert.Null(result.History.StopReason);

        var a = Weights(reference);
        var b = Weights(resumed);
        for (var i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i]);
        Assert.Equal(expected.History.ToCsv(), result.History.ToCsv());
        Assert.Equal(File.ReadAllText(csvRef), File.ReadAllText(csv));
    }

    [Fact]
    public void A_checkpoint_taken_with_other_callbacks_or_another_model_is_refused()
    {
        var folder = Directory.CreateTempSubdirectory("nabla-mismatch").FullName;
        var first = Create(folder);
        first.Run([new CsvLogger(Path.Combine(folder, "a.csv"))]);
        var error = Assert.Throws<InvalidDataException>(() => Create(folder).Run(resume: true));
        Assert.Contains("callback CsvLogger0", error.Message);

        var other = Experiment.Create(TrainingSpec.Parse(Spec.Replace("\"outChannels\": 3", "\"outChannels\": 4").Replace("\"numFeatures\": 3", "\"numFeatures\": 4").Replace("147", "196")), Repo.Root);
        other.Trainer.CheckpointPath = Path.Combine(folder, "last.ckpt");
        Assert.Throws<ArgumentException>(() => other.Run([new CsvLogger(Path.Combine(folder, "a.csv"))], resume: true));
    }

    [Fact]
    public void A_killed_training_process_resumes_from_its_checkpoint_to_the_same_weights()
    {
        var specFile = Path.Combine(Directory.CreateTempSubdirectory("nabla-kill").FullName, "resume-cnn.json");
        File.WriteAllText(specFile, Spec.Replace("\"epochs\": 3", "\"epochs\": 4"));
        var cli = Path.Combine(AppContext.BaseDirectory, "Nabla.Cli.dll");
        var straight = Path.Combine(Path.GetDirectoryName(specFile)!, "straight");
        var killed = Path.Combine(Path.GetDirectoryName(specFile)!, "killed");

        Assert.Equal(0, RunCli(cli, specFile, straight, resume: false, killAfterCheckpoint: false));
        var exit = RunCli(cli, specFile, killed, resume: false, killAfterCheckpoint: true);
        Assert.NotEqual(0, exit); // it really was killed before finishing
        Assert.False(File.Exists(Path.Combine(killed, "summary.json")));
        Assert.Equal(0, RunCli(cli, specFile, killed, resume: true, killAfterCheckpoint: false));

        var expected = SafeTensors.Read(Path.Combine(straight, "model", "weights.safetensors")).Tensors;
        var actual = SafeTensors.Read(Path.Combine(killed, "model", "weights.safetensors")).Tensors;
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, tensor) in expected) Assert.Equal(tensor.ToArray(), actual[name].ToArray());
        Assert.Equal(File.ReadAllText(Path.Combine(straight, "metrics.csv")), File.ReadAllText(Path.Combine(killed, "metrics.csv")));
    }

    private static int RunCli(string cli, string spec, string outDir, bool resume, bool killAfterCheckpoint)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Repo.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { cli, "train", spec, "--out", outDir, "--checkpoint-every", "2" }) info.ArgumentList.Add(arg);
        if (resume) info.ArgumentList.Add("--resume");
        info.Environment["CI"] = "1";
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var checkpoint = Path.Combine(outDir, "checkpoints", "last.ckpt");
        var deadline = DateTime.UtcNow.AddMinutes(3);
        if (killAfterCheckpoint)
        {
            // Kill once the first mid-training checkpoint of the second epoch or later exists.
            while (!process.HasExited && DateTime.UtcNow < deadline)
            {
                if (File.Exists(checkpoint) && new FileInfo(checkpoint).LastWriteTimeUtc > DateTime.UtcNow.AddMinutes(-5) && CheckpointEpoch(checkpoint) >= 1)
                {
                    process.Kill(entireProcessTree: true);
                    break;
                }
                Thread.Sleep(20);
            }
        }
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "the training process did not finish");
        return process.ExitCode;
    }

    private static int CheckpointEpoch(string path)
    {
        try
        {
            var (_, metadata) = Checkpoint.Load(path);
            return System.Text.Json.JsonDocument.Parse(metadata["nabla.trainer"]).RootElement.GetProperty("epoch").GetInt32();
        }
        catch (IOException)
        {
            return -1; // being replaced at this moment
        }
    }
}
