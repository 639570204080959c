using System.CommandLine;
using Nabla.Distributed;

namespace Nabla.Cli.Commands;

/// <summary>
/// <c>mpirun -np N nabla mpi-check</c> (hidden): checks allreduce, broadcast and barrier of the MPI binding against
/// closed forms. Rank r contributes x_i = r + i/8 (exact in float32), so Σ_r x_i = N(N-1)/2 + N·i/8; broadcast from the
/// last rank must deliver that rank's values everywhere. Every rank prints one line and exits 0 only if all held.
/// </summary>
internal static class MpiCheckCommand
{
    public static Command Create()
    {
        var command = new Command("mpi-check", "Check the MPI collectives (run under mpirun).") { Hidden = true };
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            try
            {
                using var mpi = MpiCollectives.Start();
                var failures = Check(mpi);
                output.WriteLine(failures.Count == 0 ? $"rank {mpi.Rank}/{mpi.Size}: ok" : $"rank {mpi.Rank}/{mpi.Size}: FAILED {string.Join("; ", failures)}");
                return failures.Count == 0 ? 0 : 1;
            }
            catch (DistributedException e)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    internal static List<string> Check(ICollectives c)
    {
        var failures = new List<string>();
        const int n = 1000;
        var (rank, size) = (c.Rank, c.Size);
        var floats = new float[n];
        for (var i = 0; i < n; i++) floats[i] = rank + (i / 8f);
        c.AllReduceSum(floats);
        for (var i = 0; i < n; i++)
        {
            if (floats[i] != (size * (size - 1) / 2f) + (size * i / 8f)) { failures.Add($"float allreduce at {i}: {floats[i]}"); break; }
        }
        double[] doubles = [rank, 1.5, rank * rank];
        c.AllReduceSum(doubles);
        double expectSquares = (size - 1) * size * ((2 * size) - 1) / 6.0;
        if (doubles[0] != size * (size - 1) / 2.0 || doubles[1] != 1.5 * size || doubles[2] != expectSquares) failures.Add($"double allreduce: {string.Join(", ", doubles)}");
        var root = size - 1;
        var broadcast = new float[n];
        for (var i = 0; i < n; i++) broadcast[i] = (rank * 1000) + i;
        c.Broadcast(broadcast, root);
        for (var i = 0; i < n; i++)
        {
            if (broadcast[i] != (root * 1000) + i) { failures.Add($"broadcast at {i}: {broadcast[i]}"); break; }
        }
        c.Barrier();
        return failures;
    }
}
