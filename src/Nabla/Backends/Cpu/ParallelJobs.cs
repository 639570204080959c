namespace Nabla.Backends.Cpu;

/// <summary>
/// The fixed partition that large kernels split their data into. It depends only on the length,
/// never on the thread count, so a reduction adds the same partial sums in the same order however
/// many threads computed them.
/// </summary>
internal static class Partition
{
    /// <summary>Elements per chunk (128 KB of floats: a few chunks fit in each core's L2).</summary>
    public const int Chunk = 32 * 1024;

    /// <summary>Elementwise work below this many elements stays on the calling thread.</summary>
    public const int ParallelThreshold = 2 * Chunk;

    public static int Chunks(int length) => (length + Chunk - 1) / Chunk;

    /// <summary>Whether spreading <paramref name="length"/> elements over the pool is worth a hand-off.</summary>
    public static bool WorthParallel(int length) => length >= ParallelThreshold && WorkerPool.Shared.Threads > 1;
}

/// <summary>y = f(x) over contiguous spans, one fixed chunk per part.</summary>
internal sealed class UnaryJob<TOp> : IParallelWork where TOp : IUnaryOperator
{
    [ThreadStatic] private static UnaryJob<TOp>? t_cached;
    private float[] _x = null!, _y = null!;
    private int _xOffset, _yOffset, _length;

    public static void Run(float[] x, int xOffset, float[] y, int yOffset, int length)
    {
        var job = t_cached ?? new UnaryJob<TOp>();
        t_cached = null;
        (job._x, job._xOffset, job._y, job._yOffset, job._length) = (x, xOffset, y, yOffset, length);
        WorkerPool.Shared.Run(job, Partition.Chunks(length));
        job._x = job._y = null!;
        t_cached = job;
    }

    public void Execute(int part)
    {
        var start = part * Partition.Chunk;
        var n = Math.Min(Partition.Chunk, _length - start);
        TOp.Invoke(_x.AsSpan(_xOffset + start, n), _y.AsSpan(_yOffset + start, n));
    }
}

/// <summary>y = f(a, b) over contiguous spans (b may be a single broadcast value), one fixed chunk per part.</summary>
internal sealed class BinaryJob<TOp> : IParallelWork where TOp : IBinaryOperator
{
    [ThreadStatic] private static BinaryJob<TOp>? t_cached;
    private float[] _a = null!, _b = null!, _y = null!;
    private int _aOffset, _bOffset, _yOffset, _length;
    private bool _bIsScalar;

    public static void Run(float[] a, int aOffset, float[] b, int bOffset, bool bIsScalar, float[] y, int yOffset, int length)
    {
        var job = t_cached ?? new BinaryJob<TOp>();
        t_cached = null;
        (job._a, job._aOffset, job._b, job._bOffset, job._bIsScalar) = (a, aOffset, b, bOffset, bIsScalar);
        (job._y, job._yOffset, job._length) = (y, yOffset, length);
        WorkerPool.Shared.Run(job, Partition.Chunks(length));
        job._a = job._b = job._y = null!;
        t_cached = job;
    }

    public void Execute(int part)
    {
        var start = part * Partition.Chunk;
        var n = Math.Min(Partition.Chunk, _length - start);
        var y = _y.AsSpan(_yOffset + start, n);
        if (_bIsScalar) TOp.Invoke(_a.AsSpan(_aOffset + start, n), _b[_bOffset], y);
        else TOp.Invoke(_a.AsSpan(_aOffset + start, n), _b.AsSpan(_bOffset + start, n), y);
    }
}

/// <summary>
/// Reduces each of <c>rows</c> contiguous rows of length <c>inner</c>: long rows are cut into fixed
/// chunks whose partial results are combined in chunk order; rows (or chunks) run in parallel.
/// </summary>
internal sealed class ReduceJob<TOp> : IParallelWork where TOp : IReduction
{
    [ThreadStatic] private static ReduceJob<TOp>? t_cached;
    private float[] _x = null!, _y = null!, _partials = [];
    private int _xOffset, _yOffset, _rows, _inner, _chunksPerRow;

    public static void Run(float[] x, int xOffset, int rows, int inner, float[] y, int yOffset)
    {
        var job = t_cached ?? new ReduceJob<TOp>();
        t_cached = null;
        (job._x, job._xOffset, job._rows, job._inner, job._y, job._yOffset) = (x, xOffset, rows, inner, y, yOffset);
        var chunked = inner > Partition.Chunk;
        int parts;
        if (chunked)
        {
            job._chunksPerRow = Partition.Chunks(inner);
            parts = rows * job._chunksPerRow;
            if (job._partials.Length < parts) job._partials = new float[parts];
        }
        else
        {
            var rowsPerPart = Math.Max(1, Partition.Chunk / Math.Max(1, inner));
            job._chunksPerRow = -rowsPerPart; // negative: each part reduces whole rows
            parts = (rows + rowsPerPart - 1) / rowsPerPart;
        }
        if (Partition.WorthParallel(rows * inner)) WorkerPool.Shared.Run(job, parts);
        else
        {
            for (var p = 0; p < parts; p++) job.Execute(p);
        }
        if (chunked)
        {
            for (var r = 0; r < rows; r++)
            {
                var partials = job._partials.AsSpan(r * job._chunksPerRow, job._chunksPerRow);
                var acc = partials[0];
                for (var c = 1; c < partials.Length; c++) acc = TOp.Fold(acc, partials[c]);
                y[yOffset + r] = acc;
            }
        }
        job._x = job._y = null!;
        t_cached = job;
    }

    public void Execute(int part)
    {
        if (_chunksPerRow < 0)
        {
            var rowsPerPart = -_chunksPerRow;
            var end = Math.Min(_rows, (part + 1) * rowsPerPart);
            for (var r = part * rowsPerPart; r < end; r++)
            {
                _y[_yOffset + r] = TOp.Reduce(_x.AsSpan(_xOffset + r * _inner, _inner));
            }
            return;
        }
        var row = part / _chunksPerRow;
        var chunk = part % _chunksPerRow;
        var start = chunk * Partition.Chunk;
        var n = Math.Min(Partition.Chunk, _inner - start);
        _partials[part] = TOp.Reduce(_x.AsSpan(_xOffset + row * _inner + start, n));
    }
}

/// <summary>
/// Folds the rows of a contiguous [rows, width] block into one row. Rows are taken in fixed blocks
/// (at least √rows of them, so neither the blocks nor their count grow long) whose partial rows are
/// combined in block order: accurate for long sums, and the same for any thread count.
/// </summary>
internal sealed class FoldRowsJob<TOp> : IParallelWork where TOp : IReduction
{
    [ThreadStatic] private static FoldRowsJob<TOp>? t_cached;
    private float[] _x = null!, _partials = null!;
    private int _xOffset, _rows, _width, _blockRows;

    public static void Run(float[] x, int xOffset, int rows, int width, Span<float> y)
    {
        var blockRows = Math.Max(Math.Max(1, Partition.Chunk / Math.Max(1, width)), (int)Math.Ceiling(Math.Sqrt(rows)));
        var blocks = (rows + blockRows - 1) / blockRows;
        if (blocks == 1)
        {
            FoldBlock(x.AsSpan(xOffset, rows * width), rows, width, y);
            return;
        }
        var job = t_cached ?? new FoldRowsJob<TOp>();
        t_cached = null;
        var partials = BufferPool.Rent(blocks * width);
        (job._x, job._xOffset, job._rows, job._width, job._blockRows, job._partials) = (x, xOffset, rows, width, blockRows, partials);
        if (Partition.WorthParallel(rows * width)) WorkerPool.Shared.Run(job, blocks);
        else
        {
            for (var b = 0; b < blocks; b++) job.Execute(b);
        }
        FoldBlock(partials.AsSpan(0, blocks * width), blocks, width, y);
        BufferPool.Return(partials);
        job._x = job._partials = null!;
        t_cached = job;
    }

    private static void FoldBlock(ReadOnlySpan<float> block, int rows, int width, Span<float> destination)
    {
        block[..width].CopyTo(destination);
        for (var r = 1; r < rows; r++) TOp.Combine(block.Slice(r * width, width), destination);
    }

    public void Execute(int part)
    {
        var first = part * _blockRows;
        var rows = Math.Min(_blockRows, _rows - first);
        FoldBlock(_x.AsSpan(_xOffset + first * _width, rows * _width), rows, _width, _partials.AsSpan(part * _width, _width));
    }
}

/// <summary>Runs body(0..count-1) over the pool, for coarse-grained work such as one image per part.</summary>
internal sealed class ParallelFor : IParallelWork
{
    private readonly Action<int> _body;

    private ParallelFor(Action<int> body) => _body = body;

    public static void Run(int count, Action<int> body)
    {
        if (count <= 1 || WorkerPool.Shared.Threads == 1)
        {
            for (var i = 0; i < count; i++) body(i);
            return;
        }
        WorkerPool.Shared.Run(new ParallelFor(body), count);
    }

    public void Execute(int part) => _body(part);
}
