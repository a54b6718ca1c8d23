// TorchSharp dispose scopes and the live-tensor statistics are per thread; tests run one at a time.
[assembly: Microsoft.VisualStudio.TestTools.UnitTesting.DoNotParallelize]
