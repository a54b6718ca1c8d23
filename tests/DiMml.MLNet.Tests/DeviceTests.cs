using DiMml.Serving.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

/// <summary>Devices as ML.NET's own trainers do them: the MLContext's GpuDeviceId and FallbackToCpu decide training (the decision
/// itself: DeviceSelectionTests) and ONNX scoring. These machines have no GPU and the CPU ONNX Runtime, where a GPU id used to make
/// ML.NET's ONNX transformer throw EntryPointNotFoundException, fallback or not.</summary>
[TestClass]
public sealed class DeviceTests
{
    private static (MLContext Ml, IDataView Data) Data(int? gpuDeviceId, bool fallbackToCpu)
    {
        var ml = new MLContext(seed: 0) { GpuDeviceId = gpuDeviceId, FallbackToCpu = fallbackToCpu };
        return (ml, ml.Data.LoadFromEnumerable(TwoViewRows.Make(90, seed: 7)));
    }

    private static DiMmlTrainer.Options CpuOptions()
    {
        var options = TwoViewRows.SmallOptions(epochs: 2);
        options.Inference = InferenceFusion.CertaintyWeighting;
        return options;
    }

    [TestMethod]
    public void TheTrainersReadTheMLContextsGpuSetting()
    {
        var ml = new MLContext(seed: 0) { GpuDeviceId = 1, FallbackToCpu = true };
        Assert.AreEqual((1, true), MLNetEnvironment.Of(ml).GpuSetting());
        Assert.AreEqual((1, true), MLNetEnvironment.Of(ml.MulticlassClassification.Trainers).GpuSetting(), "through a catalog");
        Assert.IsNull(TwoViewRows.SmallOptions().Device, "the default follows the MLContext");
    }

    [TestMethod]
    public void TheScoringDecisionFollowsTheGpuSettingAndWhatCudaCanDo()
    {
        static string Decide(int? id, bool fallback, bool cudaWorks) => OnnxExecutionProvider.Decide(id, fallback, _ => cudaWorks);
        Assert.AreEqual(OnnxExecutionProvider.Cpu, Decide(null, false, cudaWorks: true), "no GPU id: the CPU, even with CUDA");
        Assert.AreEqual(OnnxExecutionProvider.Cuda, Decide(0, false, cudaWorks: true));
        Assert.AreEqual(OnnxExecutionProvider.Cuda, Decide(0, true, cudaWorks: true));
        Assert.AreEqual(OnnxExecutionProvider.Cpu, Decide(0, true, cudaWorks: false), "fallback");
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Decide(2, false, cudaWorks: false));
        StringAssert.Contains(error.Message, "GpuDeviceId is 2");
        StringAssert.Contains(error.Message, "Microsoft.ML.OnnxRuntime.Gpu");
        StringAssert.Contains(error.Message, "FallbackToCpu");
        var asked = new List<int>();
        OnnxExecutionProvider.Decide(3, true, id => { asked.Add(id); return false; });
        CollectionAssert.AreEqual(new[] { 3 }, asked, "CUDA is probed on the asked device");
    }

    [TestMethod]
    public void WithFallbackAGpuIdTrainsAndScoresOnTheCpuAndSaysSo()
    {
        var (ml, data) = Data(gpuDeviceId: 0, fallbackToCpu: true);
        var options = CpuOptions();
        options.Device = null;
        var model = TwoViewRows.Pipeline(ml, options).Fit(data);
        var trained = ((IEnumerable<ITransformer>)model).OfType<DiMmlTransformer>().Single();
        Assert.AreEqual("cpu", trained.Diagnostics.TrainingDevice);
        Assert.AreEqual(OnnxExecutionProvider.Cpu, trained.Diagnostics.ScoringExecutionProvider);
        var accuracy = ml.MulticlassClassification.Evaluate(model.Transform(data), "Label").MicroAccuracy;
        Assert.IsGreaterThan(0.5, accuracy, "it scores");

        var path = Path.Combine(Path.GetTempPath(), $"dimml-device-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var (loaded, info) = DiMmlModelInfo.Load(ml, path, out _);
            Assert.AreEqual(OnnxExecutionProvider.Cpu, info.ScoringExecutionProvider);
            Assert.AreEqual(0, ml.GpuDeviceId, "Load leaves the context as it was");
            CollectionAssert.AreEqual(model.Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray(),
                loaded.Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray(), "the loaded model scores the same");
            (loaded as IDisposable)?.Dispose();

            var strict = new MLContext { GpuDeviceId = 0, FallbackToCpu = false };
            var loadError = Assert.ThrowsExactly<InvalidOperationException>(() => DiMmlModelInfo.Load(strict, path, out _));
            StringAssert.Contains(loadError.Message, "Microsoft.ML.OnnxRuntime.Gpu");
            Assert.AreEqual(0, strict.GpuDeviceId);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void WithoutFallbackAGpuIdThatOnnxRuntimeCannotUseFailsNamingTheFix()
    {
        var (ml, data) = Data(gpuDeviceId: 0, fallbackToCpu: false);
        var options = CpuOptions();
        options.Device = TrainingDevice.Cpu;   // training on the CPU as asked; scoring still follows the context
        var trained = false;
        options.EpochCompleted = _ => trained = true;
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => TwoViewRows.Pipeline(ml, options).Fit(data));
        Assert.IsFalse(trained, "the scoring device is decided before any training, not after it");
        StringAssert.Contains(error.Message, "MLContext.GpuDeviceId is 0");
        StringAssert.Contains(error.Message, "Microsoft.ML.OnnxRuntime.Gpu");
        StringAssert.Contains(error.Message, "FallbackToCpu = true");
    }
}
