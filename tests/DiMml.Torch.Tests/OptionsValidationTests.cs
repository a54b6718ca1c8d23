using DiMml.Torch.Training;

namespace DiMml.Torch.Tests;

[TestClass]
public sealed class OptionsValidationTests
{
    public static IEnumerable<object[]> BadOptions()
    {
        yield return [(Action<DiMmlOptions>)(o => o.Epochs = 0), "Epochs"];
        yield return [(Action<DiMmlOptions>)(o => o.BatchSize = -1), "BatchSize"];
        yield return [(Action<DiMmlOptions>)(o => o.LearningRate = double.NaN), "LearningRate"];
        yield return [(Action<DiMmlOptions>)(o => o.DucTemperature = 0), "DucTemperature"];
        yield return [(Action<DiMmlOptions>)(o => o.CertaintyTemperature = -1), "CertaintyTemperature"];
        yield return [(Action<DiMmlOptions>)(o => o.DucStartEpoch = 8), "DucStartEpoch"];
        yield return [(Action<DiMmlOptions>)(o => o.DimensionRefreshInterval = 0), "DimensionRefreshInterval"];
        yield return [(Action<DiMmlOptions>)(o => o.Modalities.Add(new ModalityOptions("m0"))), "Modalities"];
    }

    [TestMethod]
    [DynamicData(nameof(BadOptions))]
    public void InvalidOptionIsNamedInTheError(Action<DiMmlOptions> spoil, string option)
    {
        var options = Small.DiMml(2);
        spoil(options);
        var error = Assert.ThrowsExactly<ArgumentException>(() => options.Validate(2));
        Assert.AreEqual(option, error.ParamName);
        StringAssert.Contains(error.Message, option);
    }

    [TestMethod]
    public void DiMmlNeedsTwoModalities()
    {
        var options = Small.DiMml(1);
        var error = Assert.ThrowsExactly<ArgumentException>(() => options.Validate(1));
        StringAssert.Contains(error.Message, "at least 2");
    }

    [TestMethod]
    public void DucStartDefaultsFollowTheBudget()
    {
        Assert.AreEqual(20, new DiMmlOptions { Epochs = 150 }.ResolvedDucStartEpoch);
        Assert.AreEqual(5, new DiMmlOptions { Epochs = 10 }.ResolvedDucStartEpoch);
    }
}
