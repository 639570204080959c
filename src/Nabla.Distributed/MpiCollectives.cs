using System.Runtime.InteropServices;

namespace Nabla.Distributed;

/// <summary>
/// <see cref="ICollectives"/> over MPI_COMM_WORLD of the system's Open MPI, bound at run time (no compile-time dependency).
/// Open MPI's handles are pointers: MPI_COMM_WORLD is the address of the exported global <c>ompi_mpi_comm_world</c>,
/// MPI_FLOAT of <c>ompi_mpi_float</c>, MPI_DOUBLE of <c>ompi_mpi_double</c>, MPI_SUM of <c>ompi_mpi_op_sum</c>, and
/// MPI_IN_PLACE is <c>(void*)1</c>. (MPICH and MS-MPI use integer handles instead; they are not supported here.)
/// Errors keep MPI's default handler, MPI_ERRORS_ARE_FATAL: a failed call or a dead peer aborts the whole job rather than hanging.
/// A peer that hangs without dying is caught by a watchdog (<see cref="Timeout"/>): a collective that waits longer aborts the job.
/// </summary>
public sealed unsafe partial class MpiCollectives : ICollectives
{
    /// <summary>The Open MPI shared libraries tried, in order.</summary>
    public static readonly IReadOnlyList<string> DefaultLibraries = ["libmpi.so.40", "libmpi.so"];

    /// <summary>Environment variables that MPI launchers (mpirun/mpiexec, srun, hydra) set in every process they start.</summary>
    public static readonly IReadOnlyList<string> LauncherVariables = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"];

    private static readonly void* InPlace = (void*)1;
    private readonly nint _world, _float, _double, _sum;
    private readonly delegate* unmanaged<int*, int> _finalized;
    private readonly delegate* unmanaged<int> _finalize;
    private readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, int> _allreduce;
    private readonly delegate* unmanaged<void*, int, nint, int, nint, int> _bcast;
    private readonly delegate* unmanaged<nint, int> _barrier;
    private readonly delegate* unmanaged<nint, int, int> _abort;
    private readonly delegate* unmanaged<nint, nint*, int> _ibarrier;
    private readonly delegate* unmanaged<nint*, int*, void*, int> _test;
    private readonly bool _ownsInit;
    private volatile bool _disposed;

    private MpiCollectives(nint library)
    {
        nint Export(string name) => NativeLibrary.TryGetExport(library, name, out var address) ? address
            : throw new DistributedException($"MPI: the library has no symbol '{name}'; Nabla needs Open MPI (libmpi.so.40), whose handles are exported globals.");
        (_world, _float, _double, _sum) = (Export("ompi_mpi_comm_world"), Export("ompi_mpi_float"), Export("ompi_mpi_double"), Export("ompi_mpi_op_sum"));
        var initialized = (delegate* unmanaged<int*, int>)Export("MPI_Initialized");
        var init = (delegate* unmanaged<int*, byte***, int>)Export("MPI_Init");
        _finalized = (delegate* unmanaged<int*, int>)Export("MPI_Finalized");
        _finalize = (delegate* unmanaged<int>)Export("MPI_Finalize");
        var rank = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_rank");
        var size = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_size");
        _allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)Export("MPI_Allreduce");
        _bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)Export("MPI_Bcast");
        _barrier = (delegate* unmanaged<nint, int>)Export("MPI_Barrier");
        _abort = (delegate* unmanaged<nint, int, int>)Export("MPI_Abort");
        _ibarrier = (delegate* unmanaged<nint, nint*, int>)Export("MPI_Ibarrier");
        _test = (delegate* unmanaged<nint*, int*, void*, int>)Export("MPI_Test");

        int flag;
        Check(initialized(&flag), "MPI_Initialized");
        if (flag == 0)
        {
            Check(init(null, null), "MPI_Init");
            _ownsInit = true;
        }
        int r, s;
        Check(rank(_world, &r), "MPI_Comm_rank");
        Check(size(_world, &s), "MPI_Comm_size");
        (Rank, Size) = (r, s);
    }

    public int Rank { get; }

    public int Size { get; }

    /// <summary>True when a launcher's variables are in this process's environment (see <see cref="LauncherVariables"/>).</summary>
    public static bool StartedByLauncher() => LauncherVariables.Any(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)));

    /// <summary>
    /// Loads Open MPI and joins MPI_COMM_WORLD. Throws <see cref="DistributedException"/> with the fix when no MPI library
    /// is found or the process was not started by <c>mpirun</c> (a lone process would silently train alone).
    /// </summary>
    public static MpiCollectives Start(IReadOnlyList<string>? libraries = null)
    {
        libraries ??= DefaultLibraries;
        var library = Load(libraries) ?? throw new DistributedException(
            $"--distributed needs an MPI library, but none was found (tried {string.Join(", ", libraries)}). "
            + "Install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev) and start with mpirun.");
        if (!StartedByLauncher())
        {
            throw new DistributedException(
                $"--distributed needs an MPI launcher, but this process was not started by one (none of {string.Join(", ", LauncherVariables)} is set). "
                + "Start it as: mpirun -np N nabla train SPEC --distributed");
        }
        return new MpiCollectives(library);
    }

    private static nint? Load(IReadOnlyList<string> libraries)
    {
        foreach (var name in libraries)
        {
            // Open MPI's plugins (mca_*.so) resolve symbols of libmpi globally, so it must be loaded RTLD_GLOBAL, which
            // NativeLibrary does not do; dlopen it first, then NativeLibrary finds the already loaded copy.
            if (OperatingSystem.IsLinux()) _ = DlOpen(name, RtldNow | RtldGlobal);
            if (NativeLibrary.TryLoad(name, out var handle)) return handle;
        }
        return null;
    }

    private const int RtldNow = 2, RtldGlobal = 0x100;

    [LibraryImport("libc.so.6", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint DlOpen(string file, int mode);

    // Counts are C ints; longer buffers go in chunks.
    private const int Chunk = 1 << 28;

    public void AllReduceSum(Span<float> values)
    {
        fixed (float* p = values) AllReduceSumInPlace(p, values.Length, sizeof(float), _float);
    }

    public void AllReduceSum(Span<double> values)
    {
        fixed (double* p = values) AllReduceSumInPlace(p, values.Length, sizeof(double), _double);
    }

    /// <summary>MPI_Allreduce(MPI_IN_PLACE, data, …, MPI_SUM) over <paramref name="length"/> elements of one datatype, in chunks.</summary>
    private void AllReduceSumInPlace(void* data, int length, int elementSize, nint datatype)
    {
        Enter("MPI_Allreduce");
        try
        {
            for (var i = 0; i < length; i += Chunk)
            {
                Check(_allreduce(InPlace, (byte*)data + (long)i * elementSize, Math.Min(Chunk, length - i), datatype, _sum, _world), "MPI_Allreduce");
            }
        }
        finally
        {
            Leave();
        }
    }

    public void Broadcast(Span<float> values, int root = 0)
    {
        if (root < 0 || root >= Size) throw new ArgumentException($"MpiCollectives.Broadcast: root must be in [0, {Size}); got {root}.");
        Enter("MPI_Bcast");
        try
        {
            fixed (float* p = values)
            {
                for (var i = 0; i < values.Length; i += Chunk) Check(_bcast(p + i, Math.Min(Chunk, values.Length - i), _float, root, _world), "MPI_Bcast");
            }
        }
        finally
        {
            Leave();
        }
    }

    public void Barrier()
    {
        Enter("MPI_Barrier");
        try
        {
            Check(_barrier(_world), "MPI_Barrier");
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>
    /// A barrier that sleeps while it waits (MPI_Ibarrier, then MPI_Test every <paramref name="poll"/>) instead of
    /// spinning on a core as MPI_Barrier does: for ranks that wait while another measures alone. No timeout applies.
    /// </summary>
    public void IdleBarrier(TimeSpan poll)
    {
        ThrowIfDisposed();
        nint request;
        Check(_ibarrier(_world, &request), "MPI_Ibarrier");
        int done;
        while (true)
        {
            Check(_test(&request, &done, null), "MPI_Test"); // null: MPI_STATUS_IGNORE
            if (done != 0) return;
            Thread.Sleep(poll);
        }
    }

    /// <summary>Finalises MPI if this object initialised it (MPI cannot be initialised again in the same process).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        int done;
        if (_ownsInit && _finalized(&done) == 0 && done == 0) Check(_finalize(), "MPI_Finalize");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static void Check(int code, string call)
    {
        if (code != 0) throw new DistributedException($"MPI: {call} failed with error code {code}.");
    }
}
