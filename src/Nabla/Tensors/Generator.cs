namespace Nabla;

/// <summary>
/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64) that every random
/// tensor function draws from. The same seed gives the same numbers on every machine.
/// A generator is not thread-safe; <see cref="Default"/> is one generator per thread.
/// </summary>
public sealed class Generator
{
    private ulong _s0, _s1, _s2, _s3;
    private float? _spareGaussian;

    /// <summary>Creates a generator; the same seed always yields the same sequence.</summary>
    public Generator(ulong seed) => Reseed(seed);

    [ThreadStatic] private static Generator? t_default;
    private static ulong s_baseSeed = (ulong)Environment.TickCount64;
    private static long s_threadsSeeded;

    /// <summary>
    /// The generator used when none is passed: one per thread, so threads never race on it.
    /// <see cref="ManualSeed"/> reseeds the calling thread's; other threads' defaults derive from
    /// the same seed the first time they draw.
    /// </summary>
    public static Generator Default => t_default ??= new Generator(s_baseSeed + 0x9E3779B97F4A7C15UL * (ulong)Interlocked.Increment(ref s_threadsSeeded));

    /// <summary>Reseeds the default generator, making every later default draw on this thread reproducible.</summary>
    public static void ManualSeed(ulong seed)
    {
        s_baseSeed = seed;
        Default.Reseed(seed);
    }

    /// <summary>Restarts this generator's sequence from <paramref name="seed"/>.</summary>
    public void Reseed(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
        _spareGaussian = null;
    }

    /// <summary>
    /// The full state as text (hex words), for checkpoints: <see cref="SetState"/> with it continues the
    /// sequence exactly where this generator is now.
    /// </summary>
    public string GetState()
    {
        var spare = _spareGaussian is { } g ? BitConverter.SingleToUInt32Bits(g).ToString("X8", System.Globalization.CultureInfo.InvariantCulture) : "-";
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_s0:X16}:{_s1:X16}:{_s2:X16}:{_s3:X16}:{spare}");
    }

    /// <summary>Restores a state from <see cref="GetState"/>.</summary>
    public void SetState(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var parts = state.Split(':');
        var words = new ulong[4];
        var ok = parts.Length == 5;
        for (var i = 0; ok && i < 4; i++) ok = ulong.TryParse(parts[i], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out words[i]);
        uint spareBits = 0;
        ok = ok && (parts[4] == "-" || uint.TryParse(parts[4], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out spareBits));
        if (!ok || (words[0] | words[1] | words[2] | words[3]) == 0)
        {
            throw new ArgumentException($"Generator.SetState: '{state}' is not a generator state (four hex words and a spare, separated by ':').");
        }
        (_s0, _s1, _s2, _s3) = (words[0], words[1], words[2], words[3]);
        _spareGaussian = parts[4] == "-" ? null : BitConverter.UInt32BitsToSingle(spareBits);
    }

    private static ulong SplitMix64(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 random bits (every float32 step in the range is reachable).</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [low, high), without modulo bias (Lemire's method).</summary>
    public long NextInt64(long low, long high)
    {
        if (high <= low) throw new ArgumentException($"Generator: empty range [{low}, {high}).");
        var range = (ulong)(high - low);
        var product = Math.BigMul(NextUInt64(), range, out var lowBits);
        if (lowBits < range)
        {
            var threshold = (0UL - range) % range;
            while (lowBits < threshold) product = Math.BigMul(NextUInt64(), range, out lowBits);
        }
        return low + (long)product;
    }

    /// <summary>Standard normal sample (Box–Muller; the second value of each pair is kept for the next call).</summary>
    public float NextGaussian()
    {
        if (_spareGaussian is { } spare)
        {
            _spareGaussian = null;
            return spare;
        }
        var u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        var u2 = NextDouble();
        var radius = Math.Sqrt(-2.0 * Math.Log(u1));
        var angle = 2.0 * Math.PI * u2;
        _spareGaussian = (float)(radius * Math.Sin(angle));
        return (float)(radius * Math.Cos(angle));
    }
}
