namespace DiMml.Benchmarks;

/// <summary>
/// RESULTS.md holds one section per suite between <c>&lt;!-- suite:NAME --&gt;</c> and <c>&lt;!-- /suite:NAME --&gt;</c>;
/// a run replaces only its own section, so suites can be rerun one at a time.
/// </summary>
internal static class ResultsFile
{
    public static void WriteSection(string path, string suite, IEnumerable<string> lines)
    {
        var begin = $"<!-- suite:{suite} -->";
        var end = $"<!-- /suite:{suite} -->";
        var text = File.Exists(path) ? File.ReadAllText(path) : "# DiMml benchmarks\n";
        var section = string.Join("\n", lines.Prepend(begin).Append(end));
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        var stop = text.IndexOf(end, StringComparison.Ordinal);
        text = start >= 0 && stop > start
            ? text[..start] + section + text[(stop + end.Length)..]
            : text.TrimEnd() + "\n\n" + section + "\n";
        File.WriteAllText(path, text);
        Console.WriteLine($"Wrote section '{suite}' of {path}");
    }
}
