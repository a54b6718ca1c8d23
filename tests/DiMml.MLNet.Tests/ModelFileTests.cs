using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class ModelFileTests
{
    private static string folder = "";
    private static string modelPath = "";

    public sealed class SmallerRow
    {
        public string Label { get; set; } = "";

        [VectorType(6)]
        public float[] Top { get; set; } = [];

        [VectorType(TwoViewRow.Size)]
        public float[] Bottom { get; set; } = [];
    }

    [ClassInitialize]
    public static void SaveModel(TestContext _)
    {
        folder = Directory.CreateTempSubdirectory("dimml-files-").FullName;
        modelPath = Path.Combine(folder, "model.zip");
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(TwoViewRows.Make(60, seed: 80));
        var model = TwoViewRows.Pipeline(ml, TwoViewRows.SmallOptions(epochs: 1)).Fit(data);
        ml.Model.Save(model, data.Schema, modelPath);
        (model as IDisposable)?.Dispose();
    }

    [ClassCleanup]
    public static void DeleteFolder() => Directory.Delete(folder, recursive: true);

    [TestMethod]
    public void IntactModelLoadsWithItsInfo()
    {
        var (model, info) = DiMmlModelInfo.Load(new MLContext(), modelPath, out var schema);
        Assert.IsNotNull(schema.GetColumnOrNull("Top"));
        CollectionAssert.AreEqual(new[] { "Top", "Bottom" }, info.ColumnNames.ToArray());
        (model as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void TruncatedModelFailsWithAClearError()
    {
        var truncated = Path.Combine(folder, "truncated.zip");
        var bytes = File.ReadAllBytes(modelPath);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => DiMmlModelInfo.Load(new MLContext(), truncated, out _));
        StringAssert.Contains(error.Message, "truncated.zip");
        StringAssert.Contains(error.Message, "truncated or altered");
    }

    [TestMethod]
    public void AlteredModelFailsWithAClearError()
    {
        var altered = Path.Combine(folder, "altered.zip");
        var bytes = File.ReadAllBytes(modelPath);
        for (var i = bytes.Length / 3; i < bytes.Length / 3 + 64; i++)
        {
            bytes[i] ^= 0x5A;
        }

        File.WriteAllBytes(altered, bytes);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => DiMmlModelInfo.Load(new MLContext(), altered, out _));
        StringAssert.Contains(error.Message, "altered.zip");
    }

    [TestMethod]
    public void DataWithAnotherSchemaIsReportedWithTheExpectedColumns()
    {
        var ml = new MLContext();
        var (model, info) = DiMmlModelInfo.Load(ml, modelPath, out _);
        var other = ml.Data.LoadFromEnumerable(new[] { new SmallerRow { Label = "cat", Top = new float[6],
            Bottom = new float[TwoViewRow.Size] } });
        var error = Assert.ThrowsExactly<ArgumentException>(() => info.CheckInput(other.Schema));
        StringAssert.Contains(error.Message, "Top: 8 floats");
        StringAssert.Contains(error.Message, "'Top' (Vector<Single, 6>)");
        (model as IDisposable)?.Dispose();
    }
}
