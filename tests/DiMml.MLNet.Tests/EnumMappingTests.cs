namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class EnumMappingTests
{
    // The ML.NET options map to the core's enums by value: names and values must stay aligned.
    [TestMethod]
    [DataRow(typeof(FusionHeadKind), typeof(Torch.Modules.FusionHeadKind))]
    [DataRow(typeof(TrainingDevice), typeof(Torch.Training.TrainingDevice))]
    [DataRow(typeof(EncoderKind), typeof(Torch.Modules.EncoderKind))]
    public void PublicEnumsMatchTheCore(Type surface, Type core)
    {
        CollectionAssert.AreEqual(Enum.GetNames(core), Enum.GetNames(surface));
        CollectionAssert.AreEqual(
            Enum.GetValues(core).Cast<object>().Select(Convert.ToInt32).ToArray(),
            Enum.GetValues(surface).Cast<object>().Select(Convert.ToInt32).ToArray());
    }
}
