using Microsoft.ML;

namespace DiMml.MLNet.Tests;

/// <summary>ML.NET gives packages outside it no public route to a catalog's environment, its catalogs' constructors or its
/// cancellation state, so MLNetEnvironment reaches them by reflection. These tests fail when an ML.NET version moves a target;
/// the package test's ML.NET 6.0.0 app runs the same paths (catalog methods, CancelExecution) on that version.</summary>
[TestClass]
public sealed class ReflectionGuardTests
{
    [TestMethod]
    public void EveryReflectionTargetIsFoundOnThisMLNetVersion() =>
        Assert.IsEmpty(MLNetEnvironment.MissingTargets(), string.Join("; ", MLNetEnvironment.MissingTargets()));

    [TestMethod]
    public void ACatalogMethodSharesTheContextsEnvironment()
    {
        var ml = new MLContext(seed: 0);
        var env = MLNetEnvironment.Of(ml.Transforms);
        Assert.IsNotNull(env.IsCanceled, "the cancellation state behind a catalog");
        Assert.IsFalse(env.IsCanceled());
        ml.GpuDeviceId = 3;
        Assert.AreEqual(3, env.GpuSetting().GpuDeviceId, "the GPU setting is read through the catalog's environment at Fit time");
    }
}
