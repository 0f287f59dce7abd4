using System;
using CrossEntropyWalkthrough;

// The tutorial "Cross Entropy 실습" (Yelim Kim, 2023) as a C# program; the walkthrough itself is in Walkthrough.cs.
Walkthrough.Run(Console.Out);
