namespace DiMml.MLNet.Tests;

/// <summary>Runs the repository's own programs (built in the same configuration as the tests) as child processes.</summary>
internal static class ChildProcess
{
    /// <summary>Path of <paramref name="dll"/> built from project <paramref name="project"/> under <paramref name="folder"/> (tests or
    /// src).</summary>
    public static string BuiltBeside(string project, string folder, string dll)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var root = testOutput.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(root, folder, project, "bin", configuration, framework, dll);
        Assert.IsTrue(File.Exists(path), $"build {folder}/{project} first (expected {path})");
        return path;
    }

    public static (int ExitCode, string Output) Run(string fileName, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(5)), $"{Path.GetFileName(arguments.FirstOrDefault() ?? fileName)} did not " +
            $"finish in 5 minutes");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
