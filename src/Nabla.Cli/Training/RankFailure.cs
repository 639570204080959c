using System.Globalization;
using Nabla.Training;

namespace Nabla.Cli.Training;

/// <summary>
/// For tests of failure handling only (undocumented): <c>NABLA_TEST_RANK_FAILURE=RANK:exit|hang:STEPS</c> makes that rank
/// of a distributed run exit abruptly (no MPI_Finalize, exit code 3) or stop responding after STEPS training batches.
/// </summary>
internal static class RankFailure
{
    public const string Variable = "NABLA_TEST_RANK_FAILURE";

    public static Callback[] FromEnvironment(int rank)
    {
        var parts = (Environment.GetEnvironmentVariable(Variable) ?? "").Split(':');
        if (parts.Length != 3 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var target) || target != rank
            || parts[1] is not ("exit" or "hang") || !int.TryParse(parts[2], CultureInfo.InvariantCulture, out var steps))
        {
            return [];
        }
        var done = 0;
        return [new LambdaCallback(onBatchEnd: (_, _, _) =>
        {
            if (++done < steps) return;
            Console.Error.WriteLine($"rank {rank}: {Variable}: {(parts[1] == "exit" ? "exiting abruptly" : "hanging")} after {steps} steps");
            Console.Error.Flush();
            if (parts[1] == "exit") Environment.Exit(3);
            Thread.Sleep(Timeout.Infinite);
        })];
    }
}
