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
    private (int Code, string Output) Launch(int ranks, params string[] args)
    {
        var start = new ProcessStartInfo(MpiRun!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--allow-run-as-root", "--oversubscribe", "-np", $"{ranks}", Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Cli, .. args])
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

    private static string TinySpec(string dir, string optimizer)
    {
        var path = Path.Combine(dir, "tiny.json");
        var mnist = Repo.Path("data", "mnist").Replace("\\", "/", StringComparison.Ordinal);
        File.WriteAllText(path, $$"""
            {
              "name": "tiny-mlp", "seed": 3,
              "data": { "format": "mnist", "path": "{{mnist}}", "validation": "none", "limit": 512 },
              "model": [ { "type": "Flatten" }, { "type": "Linear", "inFeatures": 784, "outFeatures": 16 }, { "type": "Relu" },
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
