using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Nabla.Cli.Reports;
using Nabla.Cli.Training;
using Nabla.Distributed;
using Nabla.Serialization;
using Nabla.Specs;
using Nabla.Training;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla train SPEC</c>: trains the model a spec file describes and writes a run folder.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var spec = new Argument<FileInfo>("spec") { Description = "The model spec (JSON), e.g. examples/mnist-cnn.json." };
        var epochs = new Option<int?>("--epochs") { Description = "Override the spec's number of epochs." };
        var batchSize = new Option<int?>("--batch-size") { Description = "Override the spec's batch size." };
        var learningRate = new Option<float?>("--lr") { Description = "Override the optimizer's learning rate." };
        var seed = new Option<ulong?>("--seed") { Description = "Override the spec's seed (weights, shuffling, dropout, augmentation)." };
        var threads = new Option<int?>("--threads") { Description = "Threads for the kernels (default: all cores)." };
        var outDir = new Option<DirectoryInfo?>("--out") { Description = "The run folder (default: runs/<spec name>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the run folder's last checkpoint (checkpoints/last.ckpt) if there is one." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Also checkpoint every N batches (default: only after each epoch).", DefaultValueFactory = _ => 0 };
        // distributed: data-parallel over MPI (Nabla.Distributed, docs/distributed.md)
        var distributed = new Option<bool>("--distributed") { Description = "Data-parallel over MPI: start with mpirun -np N; the batch size is the global batch, split over the ranks." };
        var collectiveTimeout = new Option<double>("--collective-timeout")
        {
            Description = "With --distributed: seconds one rank may wait for the others in a collective before the job is aborted (0: forever).", DefaultValueFactory = _ => 300,
        };
        // dashboard: live curves in the browser (Nabla.Serving.Dashboard, docs/serving.md)
        var dashboard = new Option<bool>("--dashboard") { Description = $"Serve a live dashboard (loss, accuracy and learning-rate curves, progress, then the report) at http://127.0.0.1:{DashboardCommand.DefaultPort}/; it keeps serving after training until Ctrl+C." };
        var port = new Option<int>("--port") { Description = "The dashboard's port (0 picks a free one).", DefaultValueFactory = _ => DashboardCommand.DefaultPort };
        var host = new Option<string>("--host") { Description = "The address the dashboard binds; loopback by default.", DefaultValueFactory = _ => "127.0.0.1" };
        var dashboardExit = new Option<bool>("--dashboard-exit") { Description = "With --dashboard: exit when training is done instead of serving until Ctrl+C (for scripts)." };
        var command = new Command("train", "Train the model a spec file describes, report test figures and write the run folder.")
        {
            spec, epochs, batchSize, learningRate, seed, threads, outDir, resume, checkpointEvery, distributed, collectiveTimeout, dashboard, port, host, dashboardExit,
        };
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                return Run(parseResult.GetValue(spec)!, new Overrides(parseResult.GetValue(epochs), parseResult.GetValue(batchSize), parseResult.GetValue(learningRate),
                    parseResult.GetValue(seed), parseResult.GetValue(threads), parseResult.GetValue(resume), parseResult.GetValue(checkpointEvery), parseResult.GetValue(distributed),
                    parseResult.GetValue(collectiveTimeout),
                    Dashboard(parseResult.GetValue(dashboard), parseResult.GetValue(host)!, parseResult.GetValue(port), parseResult.GetValue(dashboardExit))),
                    parseResult.GetValue(outDir), output);
            }
            catch (Exception e) when (e is SpecException or FileNotFoundException or InvalidDataException or ArgumentException or DirectoryNotFoundException or DistributedException)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    internal sealed record Overrides(int? Epochs, int? BatchSize, float? LearningRate, ulong? Seed, int? Threads, bool Resume = false, int CheckpointEvery = 0, bool Distributed = false,
        double CollectiveTimeout = 300, DashboardSettings? Dashboard = null);

    private static DashboardSettings? Dashboard(bool on, string host, int port, bool exitWhenDone)
    {
        if (!on && exitWhenDone) throw new ArgumentException("--dashboard-exit only applies with --dashboard.");
        return on ? new DashboardSettings(host, port, exitWhenDone) : null;
    }

    /// <summary>About four months: any longer wait is "forever" (0), and TimeSpan cannot hold arbitrary seconds.</summary>
    private const double MaxCollectiveTimeout = 1e7;

    internal static int Run(FileInfo specFile, Overrides overrides, DirectoryInfo? outDir, TextWriter output)
    {
        // ---- distributed: join the MPI job; ranks other than 0 train silently and write nothing ----
        if (!overrides.Distributed) return Run(specFile, overrides, outDir, output, null);
        if (!(overrides.CollectiveTimeout >= 0)) throw new ArgumentException($"--collective-timeout must be >= 0 seconds; got {overrides.CollectiveTimeout}.");
        if (overrides.CollectiveTimeout > MaxCollectiveTimeout)
        {
            throw new ArgumentException($"--collective-timeout must be at most {MaxCollectiveTimeout} seconds (0 waits forever); got {overrides.CollectiveTimeout}.");
        }
        if (overrides.Dashboard is not null) throw new DistributedException("--dashboard is not supported with --distributed yet: watch the run with nabla dashboard when it is done.");
        using var collectives = MpiCollectives.Start();
        collectives.Timeout = TimeSpan.FromSeconds(overrides.CollectiveTimeout);
        return Run(specFile, overrides, outDir, collectives.Rank == 0 ? output : TextWriter.Null, collectives);
    }

    private static int Run(FileInfo specFile, Overrides overrides, DirectoryInfo? outDir, TextWriter output, ICollectives? collectives)
    {
        // ---- end distributed ----
        var spec = TrainingSpec.Load(specFile.FullName);
        if (overrides.Epochs is { } e) spec.Epochs = e > 0 ? e : throw new ArgumentException($"--epochs must be positive; got {e}.");
        if (overrides.BatchSize is { } b) spec.BatchSize = b > 0 ? b : throw new ArgumentException($"--batch-size must be positive; got {b}.");
        if (overrides.Seed is { } s) spec.Seed = s;
        if (overrides.Threads is { } t)
        {
            if (t < 1 || t > Parallelism.MaxThreads) throw new ArgumentException($"--threads must be between 1 and {Parallelism.MaxThreads}; got {t}.");
            Parallelism.Threads = t;
        }
        var baseDirectory = SpecFiles.DataRoot(spec, specFile);
        var run = outDir?.FullName ?? Path.Combine("runs", spec.Name);
        var leader = collectives is null || collectives.Rank == 0; // distributed: only rank 0 writes
        if (leader) Directory.CreateDirectory(run);

        output.WriteLine($"Training {spec.Name} ({specFile.Name}): {spec.Epochs} epochs, batch {spec.BatchSize}, seed {spec.Seed}, {Parallelism.Threads} threads");
        if (collectives is not null) output.WriteLine($"Distributed: {collectives.Size} ranks over MPI, {spec.BatchSize / Math.Max(collectives.Size, 1)} examples per rank per step");
        var experiment = Experiment.Create(spec, baseDirectory, overrides.LearningRate);
        output.WriteLine($"Data: {experiment.Data.Train.Count} training, {experiment.Data.Validation?.Count ?? 0} validation, {experiment.Data.Test.Count} test examples");
        output.Write(experiment.Model.Summary([1, .. experiment.Data.ExampleShape]));

        var checkpoint = Path.Combine(run, "checkpoints", "last.ckpt");
        // Distributed: every rank reads rank 0's checkpoint on resume; only rank 0 writes it.
        experiment.Trainer.CheckpointPath = checkpoint;
        experiment.Trainer.WritesCheckpoints = leader;
        experiment.Trainer.CheckpointEveryBatches = overrides.CheckpointEvery >= 0 ? overrides.CheckpointEvery
            : throw new ArgumentException($"--checkpoint-every must be >= 0; got {overrides.CheckpointEvery}.");
        if (overrides.Resume) output.WriteLine(File.Exists(checkpoint) ? $"Resuming from {checkpoint}" : $"No checkpoint at {checkpoint}: starting from the beginning");
        var csv = new CsvLogger(Path.Combine(run, "metrics.csv"));
        var weights = new ModelCheckpoint(Path.Combine(run, "checkpoints"), experiment.ValidationLoader is null ? "loss" : "val_loss");
        using var live = overrides.Dashboard is { } settings ? LiveDashboard.Start(settings, spec.Name, run, output) : null;
        Callback[] extra = live is null ? [] : [live.Callback(experiment.TrainLoader.BatchCount, Path.Combine(run, "metrics.csv"))];
        // The progress display is not part of the checkpointed callbacks, so a resumed run may show it differently.
        var result = collectives is null
            ? ProgressDisplay.Run(output, experiment.TrainLoader.BatchCount, progress => experiment.Run([csv, weights, progress, .. extra], live?.Cancellation ?? default, overrides.Resume))
            : leader ? ProgressDisplay.Run(output, experiment.TrainLoader.Dataset.Count / spec.BatchSize,
                progress => DataParallel.Run(experiment, collectives, [csv, weights, progress, .. RankFailure.FromEnvironment(collectives.Rank)], resume: overrides.Resume))
            : DataParallel.Run(experiment, collectives, RankFailure.FromEnvironment(collectives.Rank), resume: overrides.Resume);
        if (!leader) return 0; // distributed
        if (result.History.StopReason is { } reason) output.WriteLine($"Stopped: {reason}");
        SavedModel.Save(Path.Combine(run, "model"), spec, experiment.Model, experiment.Data.ExampleShape, experiment.Data.Classes, experiment.Data.Standardizer);

        var summary = new Dictionary<string, object?>
        {
            ["spec"] = spec.Name,
            ["epochs"] = result.History.Epochs.Count,
            ["best_epoch"] = result.BestEpoch + 1,
            ["seconds"] = Math.Round(result.Seconds, 2),
            ["train_samples_per_second"] = Math.Round(result.TrainSamplesPerSecond, 1),
            ["seed"] = spec.Seed,
            ["threads"] = Parallelism.Threads,
            ["stop_reason"] = result.History.StopReason,
        };
        foreach (var (key, value) in result.Test) summary["test_" + key] = double.IsFinite(value) ? Math.Round(value, 6) : null;
        AtomicFile.WriteAllText(Path.Combine(run, "summary.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));

        var figures = string.Join("  ", result.Test.Select(kv => string.Create(CultureInfo.InvariantCulture, $"test {kv.Key} {kv.Value:0.0000}")));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Done in {result.Seconds:0.0} s ({result.TrainSamplesPerSecond:0} training samples/s). {figures}"));
        output.WriteLine($"Report: {Path.GetFullPath(RunReport.Write(run, RunReport.ForExperiment(experiment, result, summary)))}");
        output.WriteLine($"Run folder: {Path.GetFullPath(run)}");
        live?.Finish(summary, result.History.StopReason, output);
        return result.History.StopReason is not null && result.History.StopReason.Contains("diverged", StringComparison.Ordinal) ? 1 : 0;
    }
}
