import CNcursesw
import ReviewUI
