using Nabla.Backends.Cpu;
using Nabla.Backends.Cpu.Gemm;

namespace Nabla.Tests.Backends;

/// <summary>
/// Every GEMM path (forced through the internal switch, so the wide and portable kernels run here
/// too, emulated where the CPU lacks them) against a naive triple loop in double precision, over odd
/// sizes, transposed and strided operands, accumulation, and thread counts.
/// </summary>
[Collection(nameof(GlobalEngineState))]
public class GemmTests
{
    public static TheoryData<string, int, int, int> Sizes()
    {
        var data = new TheoryData<string, int, int, int>();
        (int M, int N, int K)[] sizes = [(1, 1, 1), (7, 13, 5), (67, 129, 33), (13, 7, 300), (100, 3, 520), (5, 200, 17), (96, 96, 96), (70, 37, 1100)];
        foreach (var path in new[] { GemmPath.Vector512, GemmPath.Vector256, GemmPath.Portable })
        {
            foreach (var (m, n, k) in sizes) data.Add(path.ToString(), m, n, k);
        }
        return data;
    }

    private static double[] Naive(int m, int n, int k, Func<int, int, float> a, Func<int, int, float> b)
    {
        var c = new double[m * n];
        for (var i = 0; i < m; i++)
        for (var j = 0; j < n; j++)
        {
            double s = 0;
            for (var p = 0; p < k; p++) s += (double)a(i, p) * b(p, j);
            c[i * n + j] = s;
        }
        return c;
    }

    private static float[] Random(int count, ulong seed) => Tensor.Randn([count], new Generator(seed)).ToArray();

    private static void AssertClose(double[] expected, float[] actual, int cOffset, int ldc, int m, int n, string context)
    {
        for (var i = 0; i < m; i++)
        for (var j = 0; j < n; j++)
        {
            var e = expected[i * n + j];
            var g = actual[cOffset + i * ldc + j];
            Assert.True(Math.Abs(e - g) <= 1e-4 * (1 + Math.Abs(e)) * Math.Sqrt(expected.Length + 1), $"{context}: C[{i},{j}] = {g}, expected {e}");
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Every_path_matches_a_naive_product_for_every_layout(string pathName, int m, int n, int k)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        var saved = Gemm.ForcedPath;
        Gemm.ForcedPath = path;
        try
        {
            // A row-major with padding (lda = k + 3), B transposed (stored n×k), C with ldc = n + 2 and an offset.
            var aData = Random(2 + m * (k + 3), 1);
            var bData = Random(1 + n * k, 2);
            float A(int i, int p) => aData[2 + i * (k + 3) + p];
            float Bt(int p, int j) => bData[1 + j * k + p];
            var expected = Naive(m, n, k, A, Bt);
            var c = new float[5 + m * (n + 2)];
            Gemm.Multiply(m, n, k, aData, 2, k + 3, 1, bData, 1, 1, k, c, 5, n + 2, accumulate: false);
            AssertClose(expected, c, 5, n + 2, m, n, $"{path} {m}x{n}x{k} A·Bᵀ");

            // Aᵀ stored k×m (column strides), B row-major; accumulate onto existing values.
            var atData = Random(m * k, 3);
            var b2 = Random(k * n, 4);
            float At(int i, int p) => atData[p * m + i];
            float B(int p, int j) => b2[p * n + j];
            var expected2 = Naive(m, n, k, At, B);
            var c2 = Enumerable.Repeat(1f, m * n).ToArray();
            Gemm.Multiply(m, n, k, atData, 0, 1, m, b2, 0, n, 1, c2, 0, n, accumulate: true);
            AssertClose(expected2.Select(v => v + 1).ToArray(), c2, 0, n, m, n, $"{path} {m}x{n}x{k} Aᵀ·B + C");
        }
        finally
        {
            Gemm.ForcedPath = saved;
        }
    }

    public static TheoryData<string, int, int, int> FewRowSizes()
    {
        var data = new TheoryData<string, int, int, int>();
        (int M, int N, int K)[] sizes = [(1, 10, 784), (1, 128, 15), (2, 5, 23), (3, 9, 37), (4, 6, 8), (4, 4, 16), (1, 7, 7)];
        foreach (var path in new[] { GemmPath.Vector256, GemmPath.Portable })
        {
            foreach (var (m, n, k) in sizes) data.Add(path.ToString(), m, n, k);
        }
        return data;
    }

    /// <summary>Up to four rows of A skip packing (dot products of rows of A and Bᵀ, or scaled rows of B): both layouts, both modes.</summary>
    [Theory]
    [MemberData(nameof(FewRowSizes))]
    public void Few_row_products_match_a_naive_product(string pathName, int m, int n, int k)
    {
        var saved = Gemm.ForcedPath;
        Gemm.ForcedPath = Enum.Parse<GemmPath>(pathName);
        try
        {
            var aData = Random(1 + m * (k + 2), 5);
            var bData = Random(3 + n * (k + 1), 6);
            float A(int i, int p) => aData[1 + i * (k + 2) + p];
            float Bt(int p, int j) => bData[3 + j * (k + 1) + p];
            float B(int p, int j) => bData[3 + p * n + j];
            foreach (var accumulate in new[] { false, true })
            {
                var start = accumulate ? 0.5f : float.NaN;
                var c = Enumerable.Repeat(start, 2 + m * n).ToArray();
                Gemm.Multiply(m, n, k, aData, 1, k + 2, 1, bData, 3, 1, k + 1, c, 2, n, accumulate);
                AssertClose(Naive(m, n, k, A, Bt).Select(v => accumulate ? v + 0.5 : v).ToArray(), c, 2, n, m, n, $"{pathName} {m}x{n}x{k} A·Bᵀ acc={accumulate}");

                var c2 = Enumerable.Repeat(start, 2 + m * n).ToArray();
                Gemm.Multiply(m, n, k, aData, 1, k + 2, 1, bData, 3, n, 1, c2, 2, n, accumulate);
                AssertClose(Naive(m, n, k, A, B).Select(v => accumulate ? v + 0.5 : v).ToArray(), c2, 2, n, m, n, $"{pathName} {m}x{n}x{k} A·B acc={accumulate}");
            }
        }
        finally
        {
            Gemm.ForcedPath = saved;
        }
    }

    /// <summary>
    /// The unpacked products of one image's convolution: ragged rows (not a multiple of 6) and columns (not of 16), A and
    /// Aᵀ, including the direct 4×16 (four rows left) and 6×8 (eight columns left) tiles.
    /// </summary>
    [Theory]
    [InlineData(6, 16, 25)]
    [InlineData(10, 136, 21)]
    [InlineData(16, 40, 150)]
    [InlineData(16, 100, 150)]
    [InlineData(150, 100, 16)]
    [InlineData(1, 3, 1)]
    [InlineData(7, 33, 9)]
    [InlineData(13, 17, 64)]
    public unsafe void Unpacked_products_match_a_naive_product(int m, int n, int k)
    {
        var aData = Random(2 + Math.Max(m * (k + 3), k * (m + 1)), 7);
        var bData = Random(1 + k * (n + 5), 8);
        float A(int i, int p) => aData[2 + i * (k + 3) + p];
        float At(int i, int p) => aData[2 + p * (m + 1) + i];   // the same floats read as a k×(m+1) matrix's transpose
        float B(int p, int j) => bData[1 + p * (n + 5) + j];
        foreach (var transposedA in new[] { false, true })
        foreach (var accumulate in new[] { false, true })
        {
            var c = Enumerable.Repeat(accumulate ? 0.25f : float.NaN, 3 + m * (n + 2)).ToArray();
            fixed (float* pa = aData, pb = bData, pc = c)
            {
                if (transposedA) UnpackedProduct.Multiply(m, n, k, pa + 2, 1, m + 1, pb + 1, n + 5, pc + 3, n + 2, accumulate);
                else UnpackedProduct.Multiply(m, n, k, pa + 2, k + 3, 1, pb + 1, n + 5, pc + 3, n + 2, accumulate);
            }
            var expected = Naive(m, n, k, transposedA ? At : A, B).Select(v => accumulate ? v + 0.25 : v).ToArray();
            AssertClose(expected, c, 3, n + 2, m, n, $"{m}x{n}x{k} Aᵀ={transposedA} acc={accumulate}");
        }
    }

    /// <summary>C = A·Bᵀ as dot products of long rows (a convolution's weight gradient): odd row counts and k not a multiple of 8.</summary>
    [Theory]
    [InlineData("Vector256", 6, 25, 784)]
    [InlineData("Vector256", 16, 150, 100)]
    [InlineData("Vector256", 3, 5, 13)]
    [InlineData("Vector256", 1, 1, 7)]
    [InlineData("Portable", 5, 6, 19)]
    public unsafe void Row_dot_products_match_a_naive_product(string pathName, int m, int n, int k)
    {
        var saved = Gemm.ForcedPath;
        Gemm.ForcedPath = Enum.Parse<GemmPath>(pathName);
        try
        {
            var aData = Random(m * (k + 1), 9);
            var bData = Random(n * (k + 2), 10);
            var c = Enumerable.Repeat(float.NaN, m * (n + 1)).ToArray();
            fixed (float* pa = aData, pb = bData, pc = c) RowDots.Multiply(m, n, k, pa, k + 1, pb, k + 2, pc, n + 1);
            var expected = Naive(m, n, k, (i, p) => aData[i * (k + 1) + p], (p, j) => bData[j * (k + 2) + p]);
            AssertClose(expected, c, 0, n + 1, m, n, $"{pathName} {m}x{n}x{k}");
        }
        finally
        {
            Gemm.ForcedPath = saved;
        }
    }

    [Fact]
    public void Results_are_bitwise_identical_for_one_and_two_threads()
    {
        var saved = WorkerPool.Shared.Threads;
        try
        {
            // Column splits over several row and depth blocks, with A read directly and transposed.
            foreach (var (m, n, k) in new[] { (300, 257, 513), (64, 784, 128), (784, 64, 129), (1000, 20, 700), (200, 333, 600), (150, 400, 300) })
            {
                foreach (var transposedA in new[] { false, true })
                {
                    var a = transposedA ? Tensor.Randn([k, m], new Generator(5)).T : Tensor.Randn([m, k], new Generator(5));
                    var b = Tensor.Randn([k, n], new Generator(6));
                    WorkerPool.Shared.Threads = 1;
                    var one = a.MatMul(b).ToArray();
                    WorkerPool.Shared.Threads = Math.Min(2, Environment.ProcessorCount);
                    var two = a.MatMul(b).ToArray();
                    for (var i = 0; i < one.Length; i++) Assert.True(one[i] == two[i], $"{m}x{n}x{k} transposedA={transposedA} element {i}: {one[i]} vs {two[i]}");
                }
            }
        }
        finally
        {
            WorkerPool.Shared.Threads = saved;
        }
    }

    [Fact]
    public void A_product_whose_packed_A_is_shared_by_the_threads_matches_one_thread_and_the_reference()
    {
        const int m = 770, n = 800, k = 740;
        Assert.True((long)m * n * k >= GemmJob.SharedPackingThreshold && (long)(m + 5) * k <= GemmJob.SharedPackingLimit, "the size must take the shared-packing path");
        var saved = WorkerPool.Shared.Threads;
        try
        {
            foreach (var transposedA in new[] { false, true })
            {
                var a = transposedA ? Tensor.Randn([k, m], new Generator(11)).T : Tensor.Randn([m, k], new Generator(11));
                var b = Tensor.Randn([k, n], new Generator(12));
                WorkerPool.Shared.Threads = 1;
                var one = a.MatMul(b).ToArray();
                WorkerPool.Shared.Threads = 2;
                var two = a.MatMul(b).ToArray();
                for (var i = 0; i < one.Length; i++) Assert.True(one[i] == two[i], $"transposedA={transposedA} element {i}: {one[i]} vs {two[i]}");
                var ad = a.Contiguous().ToArray();
                var bd = b.ToArray();
                var picks = new Random(3);
                for (var s = 0; s < 400; s++)
                {
                    // Rows at both ends of every thread's sliver range and of the last, partial sliver are among the picks.
                    var i = s < 8 ? new[] { 0, 5, 6, 389, 390, 395, 767, 769 }[s] : picks.Next(m);
                    var j = picks.Next(n);
                    double expected = 0;
                    for (var p = 0; p < k; p++) expected += (double)ad[i * k + p] * bd[p * n + j];
                    Assert.True(Math.Abs(expected - two[i * n + j]) <= 1e-4 * (1 + Math.Abs(expected)) * Math.Sqrt(k), $"transposedA={transposedA} C[{i},{j}] = {two[i * n + j]}, expected {expected}");
                }
            }
        }
        finally
        {
            WorkerPool.Shared.Threads = saved;
        }
    }

    [Fact]
    public void Large_batched_and_transposed_products_match_the_reference()
    {
        var a = Tensor.Randn([3, 70, 90], new Generator(7));
        var b = Tensor.Randn([3, 110, 90], new Generator(8));
        var c = a.MatMul(b.Transpose(-1, -2)); // [3, 70, 110], Bᵀ read in place
        var ad = a.ToArray();
        var bd = b.ToArray();
        var cd = c.ToArray();
        for (var p = 0; p < 3; p++)
        {
            var expected = Naive(70, 110, 90, (i, q) => ad[p * 6300 + i * 90 + q], (q, j) => bd[p * 9900 + j * 90 + q]);
            AssertClose(expected, cd, p * 7700, 110, 70, 110, $"batch {p}");
        }
    }

    [Fact]
    public void The_active_path_is_the_widest_the_cpu_accelerates()
    {
        var expected = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? GemmPath.Vector512
            : System.Runtime.Intrinsics.X86.Fma.IsSupported ? GemmPath.Vector256 : GemmPath.Portable;
        Assert.Equal(expected, Gemm.ActivePath);
    }
}

/// <summary>Tests that change process-wide engine settings (forced GEMM path, thread count) run one at a time.</summary>
[CollectionDefinition(nameof(GlobalEngineState), DisableParallelization = true)]
public class GlobalEngineState;
