using DiMml.TestSupport;
namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class LongRunningServiceTests
{
    // The CI-sized run of `dotnet run --project examples/DiMml.Examples -c Release -- soak` (1,000,000 by default).
    [TestMethod]
    [TestCategory(TestCategories.Integration)]
    public void FiftyThousandPredictionsKeepMemoryFlat()
    {
        var (exitCode, output) = ChildProcess.Run("dotnet", ChildProcess.BuiltBeside("DiMml.Examples", "examples", "DiMml.Examples.dll"),
            "soak", "--predictions", "50000");
        Assert.AreEqual(0, exitCode, $"resident memory grew more than 10 %: {output}");
        StringAssert.Contains(output, "50000 predictions");
    }
}
