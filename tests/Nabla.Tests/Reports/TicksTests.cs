using Nabla.Cli.Reports;

namespace Nabla.Tests.Reports;

public class TicksTests
{
    // Heckbert's rounding of a rough step to 1, 2, 5 or 10 times a power of ten: below 1.5 -> 1, below 3 -> 2, below 7 -> 5.
    [Theory]
    [InlineData(0.174, 0.2)]
    [InlineData(0.13, 0.1)]
    [InlineData(0.3, 0.5)]
    [InlineData(0.7, 1)]
    [InlineData(1, 1)]
    [InlineData(25, 20)]
    [InlineData(69, 50)]
    [InlineData(0.00042, 0.0005)]
    [InlineData(3.2e7, 5e7)]
    public void Nice_steps(double rough, double expected) => Assert.Equal(expected, Ticks.NiceStep(rough), 12);

    [Fact]
    public void Loss_like_range_gets_ticks_by_hand()
    {
        // (1.2698 - 0.3988) / 5 = 0.174 -> step 0.2; floor(0.3988 / 0.2) = 1, ceil(1.2698 / 0.2) = 7.
        var ticks = Ticks.Linear(0.3988, 1.2698, 5);
        Assert.Equal([0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4], ticks.Values);
        Assert.Equal(["0.2", "0.4", "0.6", "0.8", "1.0", "1.2", "1.4"], Enumerable.Range(0, 7).Select(ticks.Label));
        Assert.Equal(0.5, ticks.Fraction(0.8), 12);
    }

    [Theory]
    [InlineData(-3.7, 12.1)]
    [InlineData(1e-7, 3e-7)]
    [InlineData(1e5, 2.5e6)]
    [InlineData(-0.02, -0.01)]
    [InlineData(0.8512, 0.9734)]
    [InlineData(5, 5)]
    [InlineData(0, 0)]
    [InlineData(-1e-3, 7)]
    public void Linear_ticks_are_nice_and_cover_the_data(double min, double max)
    {
        var ticks = Ticks.Linear(min, max, 5);
        Assert.True(ticks.Min <= min && ticks.Max >= max, $"[{ticks.Min}, {ticks.Max}] does not cover [{min}, {max}]");
        Assert.InRange(ticks.Values.Count, 3, 12);
        var step = ticks.Values[1] - ticks.Values[0];
        var mantissa = step / Math.Pow(10, Math.Floor(Math.Log10(step) + 1e-9));
        Assert.Contains(Math.Round(mantissa, 6), new[] { 1.0, 2.0, 5.0 });
        for (var i = 0; i < ticks.Values.Count; i++)
        {
            Assert.Equal(ticks.Values[0] + i * step, ticks.Values[i], step * 1e-6);
            var multiple = ticks.Values[i] / step;
            Assert.Equal(Math.Round(multiple), multiple, 1e-6);
        }
        // Labels are distinct and short (no 0.30000000000000004).
        var labels = Enumerable.Range(0, ticks.Values.Count).Select(ticks.Label).ToList();
        Assert.Equal(labels.Count, labels.Distinct().Count());
        Assert.All(labels, l => Assert.True(l.Length <= 9, l));
    }

    [Fact]
    public void Integer_ticks_never_step_below_one()
    {
        Assert.Equal([1.0, 2.0, 3.0], Ticks.Linear(1, 3, 5, integers: true).Values);
        Assert.Equal([0.0, 1.0, 2.0], Ticks.Linear(1, 1, 5, integers: true).Values);
    }

    [Fact]
    public void Log_ticks_are_powers_of_ten()
    {
        var ticks = Ticks.Log(0.003, 0.2);
        Assert.Equal([0.001, 0.01, 0.1, 1], ticks.Values);
        Assert.Equal(["0.001", "0.01", "0.1", "1"], Enumerable.Range(0, 4).Select(ticks.Label));
        Assert.Equal(2.0 / 3, ticks.Fraction(0.1), 12);
        // Twelve decades with about six ticks: every second power.
        Assert.Equal([1e-8, 1e-6, 1e-4, 1e-2, 1, 1e2, 1e4], Ticks.Log(1e-8, 1e4).Values);
        Assert.Equal([1.0, 10.0], Ticks.Log(3, 3).Values);
    }

    [Theory]
    [InlineData(0.30000000000000004, 0.1, "0.3")]
    [InlineData(1500, 500, "1500")]
    [InlineData(2e-6, 1e-6, "2e-6")]
    [InlineData(2.5e6, 5e5, "2.5e6")]
    [InlineData(3e7, 1e7, "3e7")]
    [InlineData(-0.05, 0.05, "-0.05")]
    public void Tick_labels(double value, double step, string expected) => Assert.Equal(expected, Ticks.Format(value, step));
}
