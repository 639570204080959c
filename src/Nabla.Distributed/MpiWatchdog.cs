using System.Diagnostics;
using System.Globalization;

namespace Nabla.Distributed;

/// <summary>The collective timeout: a background thread that aborts the job when one call waits too long.</summary>
public sealed unsafe partial class MpiCollectives
{
    private long _callStarted; // Stopwatch timestamp of the collective in progress; 0 between calls
    private string _call = "";
    private Thread? _watchdog;

    /// <summary>
    /// How long one collective may wait for the other ranks before this rank aborts the whole job (MPI_Abort) with a
    /// message naming the call, instead of hanging forever on a peer that hangs (a peer that dies already ends the job
    /// through mpirun). Zero: wait forever. Default 5 minutes; it bounds the longest stretch one rank may work alone
    /// (rank 0 writing checkpoints and reports) while another waits. The abort is called from the watchdog thread
    /// although MPI was initialised for one thread: the standard leaves that undefined, while Open MPI's MPI_Abort
    /// (the launcher killing every rank) works from any thread in practice, which the hanging-rank test checks.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    private void Enter(string call)
    {
        ThrowIfDisposed();
        if (_watchdog is null && Timeout > TimeSpan.Zero)
        {
            _watchdog = new Thread(Watch) { IsBackground = true, Name = "MPI collective watchdog" };
            _watchdog.Start();
        }
        _call = call;
        Volatile.Write(ref _callStarted, Stopwatch.GetTimestamp());
    }

    private void Leave() => Volatile.Write(ref _callStarted, 0);

    private void Watch()
    {
        while (!_disposed)
        {
            var timeout = Timeout;
            Thread.Sleep(timeout > TimeSpan.Zero ? TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 10, 10, 1000)) : TimeSpan.FromSeconds(1));
            var started = Volatile.Read(ref _callStarted);
            if (timeout <= TimeSpan.Zero || started == 0 || Stopwatch.GetElapsedTime(started) < timeout) continue;
            var seconds = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            Console.Error.WriteLine($"error: rank {Rank}/{Size}: {_call} waited more than {seconds} s for the other ranks (--collective-timeout): "
                + "a rank hangs or cannot be reached. Aborting the job; continue from the last checkpoint with --resume.");
            Console.Error.Flush();
            _ = _abort(_world, 1); // ends every rank; does not return when it works
            Environment.Exit(1);
        }
    }
}
