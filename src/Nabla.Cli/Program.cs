using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;
using Nabla.Cli.Commands;

namespace Nabla.Cli;

/// <summary>The <c>nabla</c> command: one subcommand per file in <c>Commands/</c>.</summary>
internal static class Program
{
    private static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses and runs a command line, writing to the given streams; returns the exit code.</summary>
    internal static int Run(string[] args, TextWriter output, TextWriter? error = null)
    {
        var configuration = new InvocationConfiguration { Output = output, Error = error ?? output };
        return BuildRootCommand().Parse(args).Invoke(configuration);
    }

    internal static Command BuildRootCommand()
    {
        // A plain Command rather than RootCommand so that help says "nabla" (RootCommand names itself
        // after the running executable: Nabla.Cli, or the test host).
        var root = new Command("nabla", "Nabla: deep learning for .NET, in C#.")
        {
            new HelpOption(),
            new VersionOption { Action = new PrintVersion() },
        };
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ListCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(CrossValidateCommand.Create());
        root.Subcommands.Add(TuneCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(SummaryCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(OnnxCommand.Create());
        root.Subcommands.Add(MpiCheckCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(DashboardCommand.Create());
        return root;
    }

    /// <summary>The informational version of an assembly without build metadata ("0.1.0", not "0.1.0+3f2a...").</summary>
    internal static string VersionOf(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }

    /// <summary>Prints this assembly's version (the built-in action reads the entry assembly, which is the test host in-process).</summary>
    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(VersionOf(typeof(Program).Assembly));
            return 0;
        }
    }
}
