import threading
import time
from concurrent.futures import ThreadPoolExecutor

RUNNERS = 3
start_line = threading.Barrier(RUNNERS)


def runner(n):
    time.sleep(0.2 * n)  # each runner is ready at a different time
    print(f"runner {n} ready, waiting for the others")
    start_line.wait()  # a Barrier has no with-form: wait() blocks until all RUNNERS are here
    print(f"runner {n} goes")


if __name__ == "__main__":
    with ThreadPoolExecutor(max_workers=RUNNERS) as pool:  # leaving the block waits for all
        list(pool.map(runner, range(1, RUNNERS + 1)))
