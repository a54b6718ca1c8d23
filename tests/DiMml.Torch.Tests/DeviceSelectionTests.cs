using DiMml.Torch.Training;
using TorchSharp;

namespace DiMml.Torch.Tests;

/// <summary>The device decision for every combination of option, host GPU setting and visible GPUs, without a GPU.</summary>
[TestClass]
public sealed class DeviceSelectionTests
{
    private const int Unset = -1;

    private static TrainingDevice? Requested(int code) => code == Unset ? null : (TrainingDevice)code;

    [TestMethod]
    [DataRow(Unset, Unset, false, 0, DeviceType.CPU, 0, "no option, no MLContext GPU: the CPU")]
    [DataRow(Unset, 1, false, 2, DeviceType.CUDA, 1, "no option: MLContext.GpuDeviceId picks the GPU")]
    [DataRow(Unset, 0, true, 0, DeviceType.CPU, 0, "no GPU visible, FallbackToCpu: the CPU")]
    [DataRow((int)TrainingDevice.Cpu, 0, false, 2, DeviceType.CPU, 0, "an explicit Device wins over the MLContext")]
    [DataRow((int)TrainingDevice.Auto, Unset, false, 1, DeviceType.CUDA, 0, "Auto takes the first GPU")]
    [DataRow((int)TrainingDevice.Auto, 3, false, 2, DeviceType.CPU, 0, "Auto falls back when that GPU is not visible")]
    [DataRow((int)TrainingDevice.Cuda, 1, false, 2, DeviceType.CUDA, 1, "Cuda on the MLContext's GPU")]
    public void TheOptionThenTheMLContextDecide(int requested, int gpu, bool fallback, int visible, DeviceType type, int index, string why)
    {
        var decision = DeviceSelection.Decide(Requested(requested), gpu == Unset ? null : gpu, fallback, visible);
        Assert.AreEqual((type, index), decision, why);
    }

    [TestMethod]
    [DataRow(Unset, 0, "MLContext.GpuDeviceId is 0", "FallbackToCpu")]
    [DataRow((int)TrainingDevice.Cuda, Unset, "Device = Cuda", "Device = Cpu or Auto")]
    public void AMissingGpuIsAClearError(int requested, int gpu, string names, string fix)
    {
        var error = Assert.ThrowsExactly<InvalidOperationException>(() =>
            DeviceSelection.Decide(Requested(requested), gpu == Unset ? null : gpu, fallbackToCpu: false, cudaDevices: 0));
        StringAssert.Contains(error.Message, names);
        StringAssert.Contains(error.Message, fix);
        StringAssert.Contains(error.Message, "libtorch-cuda");
    }
}
