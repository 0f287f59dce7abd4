System.Console.WriteLine("SoftmaxClassifier: not written yet (see the full-semantics issue).");
