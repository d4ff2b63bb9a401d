import time
from threading import Thread

def task1():
    for i in range(5):
        print("Task 1 is running")
        time.sleep(1)
def task2():
    for i in range(5):
        print("Task 2 is running")
        time.sleep(1)
if __name__ == '__main__':
    # Run tasks concurrently using
    # multithreading
    t1 = Thread(target=task1)
    t2 = Thread(target=task2)
    t1.start()
    t2.start()
    t1.join()
    t2.join()
