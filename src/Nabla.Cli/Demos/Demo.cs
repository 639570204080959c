using System.Globalization;
using Nabla.Cli.Reports;

namespace Nabla.Cli.Demos;

/// <summary>
/// One concept shown on real numbers: <c>nabla demo NAME</c> runs it, prints what it measured and writes its charts
/// into <see cref="DemoContext.OutputDirectory"/>. Demos are found by reflection: a new demo is one new class.
/// </summary>
public abstract class Demo
{
    /// <summary>The name on the command line, e.g. "vanishing-gradients".</summary>
    public abstract string Name { get; }

    /// <summary>One line: what the demo shows.</summary>
    public abstract string Description { get; }

    /// <summary>Runs the demo and returns its key measurements (what the tests assert), e.g. {"first_layer_grad_ratio": 1e-4}.</summary>
    public abstract DemoResult Run(DemoContext context);

    /// <summary>Every demo in this assembly, by name.</summary>
    public static IReadOnlyList<Demo> All { get; } = [.. typeof(Demo).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(Demo)) && !t.IsAbstract)
        .Select(t => (Demo)Activator.CreateInstance(t)!)
        .OrderBy(d => d.Name, StringComparer.Ordinal)];

    public static Demo? Find(string name) => All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Where a demo writes, how big it runs, and its seed.</summary>
/// <param name="Output">Where the demo prints what it measured.</param>
/// <param name="OutputDirectory">Its folder for charts (runs/demo-NAME by default); created on first use.</param>
/// <param name="Quick">True in tests: smaller data and fewer epochs, the same effect.</param>
/// <param name="Seed">Fixes every random draw.</param>
public sealed record DemoContext(TextWriter Output, string OutputDirectory, bool Quick = false, ulong Seed = 1)
{
    /// <summary>Writes a chart as <paramref name="fileName"/> (.svg) in the output folder and says so.</summary>
    public string SaveChart(string fileName, SvgChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        Directory.CreateDirectory(OutputDirectory);
        var path = Path.Combine(OutputDirectory, fileName);
        chart.Save(path);
        Output.WriteLine($"   chart: {path}");
        return path;
    }

    /// <summary>Prints a line with invariant number formatting.</summary>
    public void Say(FormattableString line) => Output.WriteLine(line.ToString(CultureInfo.InvariantCulture));
}

/// <summary>A demo's key measurements by name.</summary>
public sealed class DemoResult : Dictionary<string, double>
{
    public DemoResult() : base(StringComparer.Ordinal) { }
}
