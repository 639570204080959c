using System.Diagnostics;
using Nabla.Cli;
using Nabla.Distributed;
using Nabla.Specs;
using Nabla.Tests.Support;
using Xunit.Abstractions;

namespace Nabla.Tests.Distributed;

/// <summary>
/// Real multi-process runs under <c>mpirun -np 2</c>. Without mpirun on PATH these tests print why and return early
/// (xunit 2 has no runtime skip), so the suite passes on machines without MPI; .ci/run installs Open MPI so they run there.
/// </summary>
public class MpiRunTests(ITestOutputHelper log)
{
    private static readonly string? MpiRun = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
        .Select(dir => Path.Combine(dir, "mpirun")).FirstOrDefault(File.Exists);

    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "Nabla.Cli.dll");

    private bool Skip()
    {
        if (MpiRun is not null) return false;
        log.WriteLine("skipped: mpirun is not on PATH (install openmpi-bin to run the multi-process tests)");
        return true;
    }

    /// <summary>Runs <c>mpirun -np N dotnet Nabla.Cli.dll ARGS</c> (as root in CI, hence --allow-run-as-root) and returns exit code and output.</summary>
    private (int Code, string Output) Launch(int ranks, params string[] args) => LaunchWithFailure(ranks, null, args);

    /// <summary>As above, with <paramref name="failure"/> (RANK:exit|hang:STEPS) in NABLA_TEST_RANK_FAILURE on every rank.</summary>
    private (int Code, string Output) LaunchWithFailure(int ranks, string? failure, params string[] args)
    {
        var start = new ProcessStartInfo(MpiRun!) { RedirectStandardOutput = true, RedirectStandardError = true };
        string[] environment = failure is null ? [] : ["-x", $"NABLA_TEST_RANK_FAILURE={failure}"];
        foreach (var a in (string[])["--allow-run-as-root", "--oversubscribe", .. environment, "-np", $"{ranks}", Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Cli, .. args])
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mpirun {string.Join(' ', args)} did not finish in 2 minutes:\n{stdout}");
        }
        var output = stdout + stderr.Result;
        log.WriteLine(output);
        return (process.ExitCode, output);
    }

    private static string TinySpec(string dir, string optimizer, bool dropout = false)
    {
        var path = Path.Combine(dir, "tiny.json");
        var mnist = Repo.Path("data", "mnist").Replace("\\", "/", StringComparison.Ordinal);
        // Dropout draws per-rank masks, so a resume must restore every rank's random state, not just rank 0's.
        var extra = dropout ? """ { "type": "Dropout", "p": 0.3 },""" : "";
        File.WriteAllText(path, $$"""
            {
              "name": "tiny-mlp", "seed": 3,
              "data": { "format": "mnist", "path": "{{mnist}}", "validation": "none", "limit": 512 },
              "model": [ { "type": "Flatten" }, { "type": "Linear", "inFeatures": 784, "outFeatures": 16 }, { "type": "Relu" },{{extra}}
                         { "type": "Linear", "inFeatures": 16, "outFeatures": 10 } ],
              "loss": "cross_entropy",
              "optimizer": {{optimizer}},
              "training": { "epochs": 2, "batchSize": 64, "metrics": ["accuracy"] }
            }
            """);
        return path;
    }

    [Fact]
    public void AllReduceAndBroadcastMatchClosedFormsOnTwoRanks()
    {
        if (Skip()) return;
        var (code, output) = Launch(2, "mpi-check");
        Assert.Equal(0, code);
        Assert.Contains("rank 0/2: ok", output, StringComparison.Ordinal);
        Assert.Contains("rank 1/2: ok", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "type": "sgd", "lr": 0.1, "momentum": 0.9 }""")]
    [InlineData("""{ "type": "adam", "lr": 0.01 }""")]
    public void TwoRanksWithHalfBatchesEndWhereOneProcessWithTheWholeBatchDoes(string optimizer)
    {
        if (Skip()) return;
        var dir = Directory.CreateTempSubdirectory("nabla-mpi-").FullName;
        try
        {
            var spec = TinySpec(dir, optimizer);
            // 512 examples, global batch 64: 8 steps an epoch, no remainder, so both runs see the same examples per step.
            Assert.Equal(0, Program.Run(["train", spec, "--out", Path.Combine(dir, "single")], TextWriter.Null));
            var (code, output) = Launch(2, "train", spec, "--distributed", "--out", Path.Combine(dir, "two"));
            Assert.Equal(0, code);
            Assert.Contains("Distributed: 2 ranks", output, StringComparison.Ordinal);
            var single = SavedModel.Load(Path.Combine(dir, "single")).Model.StateDict();
            var two = SavedModel.Load(Path.Combine(dir, "two")).Model.StateDict();
            foreach (var (name, tensor) in single)
            {
                Assert.True(tensor.AllClose(two[name], 1e-5f, 1e-5f), $"{name} differs between 1 process and 2 ranks");
            }
            // Only rank 0 writes: one metrics file whose losses are the rank means (equal shards: the global mean).
            Assert.Equal(File.ReadAllLines(Path.Combine(dir, "single", "metrics.csv")).Length, File.ReadAllLines(Path.Combine(dir, "two", "metrics.csv")).Length);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ResumingAfterAnEpochOrAfterADeadRankEndsWhereAnUninterruptedRunDoes()
    {
        if (Skip()) return;
        var dir = Directory.CreateTempSubdirectory("nabla-mpi-").FullName;
        try
        {
            var spec = TinySpec(dir, """{ "type": "adam", "lr": 0.01 }""", dropout: true);
            string Run(string name) => Path.Combine(dir, name);
            Assert.Equal(0, Launch(2, "train", spec, "--distributed", "--out", Run("straight")).Code);

            // Stopped after epoch 1, then resumed to epoch 2.
            Assert.Equal(0, Launch(2, "train", spec, "--distributed", "--epochs", "1", "--out", Run("split")).Code);
            var (code, output) = Launch(2, "train", spec, "--distributed", "--epochs", "2", "--resume", "--out", Run("split"));
            Assert.Equal(0, code);
            Assert.Contains("Resuming from", output, StringComparison.Ordinal);

            // Rank 1 dies in epoch 2 (8 steps an epoch), after the mid-epoch checkpoint at step 2 of it: mpirun must end the job, quickly.
            var clock = Stopwatch.StartNew();
            (code, output) = LaunchWithFailure(2, "1:exit:11", "train", spec, "--distributed", "--checkpoint-every", "2", "--out", Run("killed"));
            Assert.NotEqual(0, code);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the job took {clock.Elapsed} to end after a rank died");
            Assert.Contains("rank 1: NABLA_TEST_RANK_FAILURE: exiting abruptly", output, StringComparison.Ordinal);
            Assert.Contains("exited with non-zero status", output, StringComparison.Ordinal); // mpirun's account of it
            Assert.False(File.Exists(Path.Combine(Run("killed"), "summary.json")));
            Assert.Equal(0, Launch(2, "train", spec, "--distributed", "--checkpoint-every", "2", "--resume", "--out", Run("killed")).Code);

            var straight = SavedModel.Load(Run("straight")).Model.StateDict();
            foreach (var resumed in (string[])["split", "killed"])
            {
                var weights = SavedModel.Load(Run(resumed)).Model.StateDict();
                foreach (var (name, tensor) in straight) Assert.True(tensor.AllClose(weights[name], 1e-5f, 1e-5f), $"{name} differs after the {resumed} run");
                // The resumed epochs log the same rank-averaged figures (the mid-epoch checkpoint shares its partial sums out).
                Assert.Equal(File.ReadAllLines(Path.Combine(Run("straight"), "metrics.csv")), File.ReadAllLines(Path.Combine(Run(resumed), "metrics.csv")));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ARankThatHangsEndsTheJobAfterTheCollectiveTimeout()
    {
        if (Skip()) return;
        var dir = Directory.CreateTempSubdirectory("nabla-mpi-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            // Not much below 4 s: under load, ranks can start that far apart, and the first broadcast would time out instead.
            var (code, output) = LaunchWithFailure(2, "1:hang:3", "train", TinySpec(dir, "\"sgd\""), "--distributed", "--collective-timeout", "4", "--out", Path.Combine(dir, "run"));
            Assert.NotEqual(0, code);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the job took {clock.Elapsed} to end after a rank hung");
            Assert.Contains("rank 1: NABLA_TEST_RANK_FAILURE: hanging after 3 steps", output, StringComparison.Ordinal);
            Assert.Contains("rank 0/2: MPI_Allreduce waited more than 4 s for the other ranks", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TheDistributedTrainBenchReportsAllRanksNextToOneProcess()
    {
        if (Skip()) return;
        var (code, output) = Launch(2, "bench", "train", "--model", "mlp", "--distributed", "--steps", "2", "--json", "--data", Repo.Path("data", "mnist"));
        Assert.Equal(0, code);
        // Only rank 0 reports: one JSON line.
        var lines = output.Split('\n').Where(l => l.Contains("\"bench\"", StringComparison.Ordinal)).ToArray();
        var line = Assert.Single(lines);
        using var json = System.Text.Json.JsonDocument.Parse(line[line.IndexOf('{', StringComparison.Ordinal)..]);
        var root = json.RootElement;
        Assert.Equal("mlp_train_distributed", root.GetProperty("bench").GetString());
        Assert.Equal(2, root.GetProperty("ranks").GetInt32());
        var together = root.GetProperty("samples_per_second").GetDouble();
        var alone = root.GetProperty("single_process_samples_per_second").GetDouble();
        Assert.True(together > 0 && alone > 0, line);
        // The ratio is printed to 2 decimals from unrounded figures: allow that rounding, not a different ratio.
        Assert.Equal(together / alone, root.GetProperty("speedup_over_single_process").GetDouble(), 0.0051);
        // Two global batches of 64 an epoch: samples/s is 2 · 64 over the median epoch's seconds (printed to 0.1 ms).
        var seconds = root.GetProperty("epoch_seconds_median").GetDouble();
        Assert.Equal(128 / seconds, together, together * ((0.00005 / seconds) + 0.001));
    }

    [Theory]
    [InlineData("train {spec} --distributed --collective-timeout -1 --out {out}", "--collective-timeout must be >= 0 seconds; got -1.")]
    [InlineData("train {spec} --distributed --collective-timeout 1e300 --out {out}", "--collective-timeout must be at most 10000000 seconds (0 waits forever); got 1E+300.")]
    [InlineData("bench train --model lstm --distributed", "--distributed measures the mlp and cnn set-ups, not lstm.")]
    [InlineData("bench train --model mlp --steps 0", "--steps must be positive; got 0.")]
    public void BadDistributedOptionsAreClearErrorsBeforeMpiStarts(string command, string message)
    {
        var dir = Directory.CreateTempSubdirectory("nabla-mpi-").FullName;
        try
        {
            var error = new StringWriter();
            var args = command.Replace("{spec}", TinySpec(dir, "\"sgd\""), StringComparison.Ordinal)
                .Replace("{out}", Path.Combine(dir, "run"), StringComparison.Ordinal).Split(' ');
            Assert.Equal(1, Program.Run(args, TextWriter.Null, error));
            Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void DistributedWithoutALauncherIsAClearError()
    {
        if (MpiCollectives.StartedByLauncher()) return; // the test itself runs under mpirun: nothing to check
        var dir = Directory.CreateTempSubdirectory("nabla-mpi-").FullName;
        try
        {
            var error = new StringWriter();
            var code = Program.Run(["train", TinySpec(dir, "\"sgd\""), "--distributed", "--out", Path.Combine(dir, "run")], TextWriter.Null, error);
            Assert.Equal(1, code);
            // With Open MPI installed the launcher is missing; without it, the library is.
            Assert.Matches("--distributed needs an MPI (launcher|library)", error.ToString());
            Assert.Contains("mpirun", error.ToString(), StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(dir, "run")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
