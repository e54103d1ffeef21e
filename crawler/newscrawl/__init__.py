"""The open news crawl: the partnership's coverage found in Common Crawl's CC-NEWS WARC files.

One concern per module: `listing` names the WARC files (local paths, URLs, a month's
``warc.paths.gz``); `reader` streams one file's HTML responses and names its bad
records; `prefilter` drops the records that cannot be about the partnership from their
raw bytes; `scan` is the one task a Dask worker runs per file (read, prefilter, read the
survivors' pages, score them); `job` is the driver: it schedules the tasks on a Dask
cluster and hands what they found to the pipelines and the one archive writer, keeping
each file's progress in the archive. docs/newscrawl.md explains the command.
"""
