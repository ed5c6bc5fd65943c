"""The pure signal core: clock reconstruction, resampling, filtering, stillness, segmentation, scoring.

Nothing here imports bleak, asyncio or matplotlib (``tests/test_import_boundary.py`` checks it).
Every stateful stage has ``push(...)`` and, where it holds data back, ``flush()``; processing a stream in
chunks of any size gives bit-identical results to processing it whole.
"""
