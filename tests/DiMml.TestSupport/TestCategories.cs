namespace DiMml.TestSupport;

/// <summary>Test categories. The fast inner loop is <c>dotnet test -c Release --filter "TestCategory!=Integration"</c>;
/// CI runs everything.</summary>
public static class TestCategories
{
    /// <summary>Tests that start other processes (the CLI, a serving app, a killed and resumed training) or run long
    /// soaks.</summary>
    public const string Integration = "Integration";
}
