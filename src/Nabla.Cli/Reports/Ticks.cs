using System.Globalization;

namespace Nabla.Cli.Reports;

/// <summary>An axis: the value range it shows and the tick values on it (the first and last ticks are the ends).</summary>
public sealed record AxisTicks(double Min, double Max, IReadOnlyList<double> Values, bool Log)
{
    /// <summary>Where <paramref name="value"/> falls on the axis, 0 at <see cref="Min"/> and 1 at <see cref="Max"/>.</summary>
    public double Fraction(double value) => Log
        ? (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min))
        : (value - Min) / (Max - Min);

    /// <summary>The label of tick <paramref name="i"/>, with as many decimals as the tick spacing needs.</summary>
    public string Label(int i) => Ticks.Format(Values[i], Log ? Values[i] : Values.Count > 1 ? Values[1] - Values[0] : 1);
}

/// <summary>
/// "Nice" axis ticks: steps of 1, 2 or 5 times a power of ten, the range widened outward to whole steps so the
/// ticks cover the data (the classic graph-labelling rule, Heckbert, Graphics Gems, 1990).
/// </summary>
public static class Ticks
{
    /// <summary>
    /// Linear ticks covering [<paramref name="min"/>, <paramref name="max"/>] with about <paramref name="target"/>
    /// intervals (steps of at least 1 with <paramref name="integers"/>, e.g. for epochs). An empty range is widened
    /// around its value; non-finite ends give [0, 1].
    /// </summary>
    public static AxisTicks Linear(double min, double max, int target = 5, bool integers = false)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) (min, max) = (0, 1);
        if (min > max) (min, max) = (max, min);
        if (min == max)
        {
            var pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            (min, max) = (min - pad, max + pad);
        }
        var step = NiceStep((max - min) / Math.Max(1, target));
        if (integers) step = Math.Max(1, step);
        var first = Math.Floor(min / step + 1e-9);
        var last = Math.Ceiling(max / step - 1e-9);
        // Multiplying whole numbers by the step (rather than adding steps) keeps rounding error from piling up.
        var values = new List<double>();
        for (var k = first; k <= last; k++) values.Add(Clean(k * step, step));
        return new AxisTicks(values[0], values[^1], values, Log: false);
    }

    /// <summary>
    /// Logarithmic ticks at powers of ten covering the positive range [<paramref name="min"/>, <paramref name="max"/>]
    /// (every k-th power when there are many decades).
    /// </summary>
    public static AxisTicks Log(double min, double max, int target = 6)
    {
        if (!(min > 0) || !double.IsFinite(min) || !(max > 0) || !double.IsFinite(max)) (min, max) = (1, 10);
        if (min > max) (min, max) = (max, min);
        var low = (int)Math.Floor(Math.Log10(min) + 1e-9);
        var high = (int)Math.Ceiling(Math.Log10(max) - 1e-9);
        if (high == low) high++;
        var stride = Math.Max(1, (int)Math.Ceiling((high - low) / (double)Math.Max(1, target)));
        high = low + (int)Math.Ceiling((high - low) / (double)stride) * stride;
        var values = new List<double>();
        for (var e = low; e <= high; e += stride) values.Add(double.Parse($"1e{e}", CultureInfo.InvariantCulture));
        return new AxisTicks(values[0], values[^1], values, Log: true);
    }

    /// <summary>The nice number (1, 2 or 5 times a power of ten) closest to <paramref name="rough"/> (Heckbert's rounding).</summary>
    public static double NiceStep(double rough)
    {
        if (!(rough > 0) || !double.IsFinite(rough)) return 1;
        var exponent = Math.Floor(Math.Log10(rough));
        var power = Math.Pow(10, exponent);
        var fraction = rough / power;
        const double slack = 1e-9; // 0.3 / 0.1 = 2.9999999999999996 is 3
        var nice = fraction < 1.5 - slack ? 1 : fraction < 3 - slack ? 2 : fraction < 7 - slack ? 5 : 10;
        return nice * power;
    }

    /// <summary>Formats a tick value with the decimals its <paramref name="step"/> needs (0.1 -> "0.3", not "0.30000000000000004").</summary>
    public static string Format(double value, double step)
    {
        step = Math.Abs(step);
        if (value == 0) return "0";
        if (Math.Abs(value) >= 1e6 || step < 1e-5 || (step == 0 && Math.Abs(value) < 1e-4))
        {
            return value.ToString("0.###e0", CultureInfo.InvariantCulture);
        }
        var decimals = step == 0 ? 4 : Math.Clamp(-(int)Math.Floor(Math.Log10(step) + 1e-9), 0, 6);
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>Rounds away the binary noise of k * step below the step's own precision.</summary>
    private static double Clean(double value, double step)
    {
        if (step < 1e-12) return value; // Math.Round takes at most 15 decimals
        var decimals = Math.Clamp(-(int)Math.Floor(Math.Log10(step)) + 1, 0, 15);
        return Math.Round(value, decimals);
    }
}
